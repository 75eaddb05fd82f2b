package seal

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// chunks splits a blob made with chunk size c into its header and chunks.
func chunks(blob []byte, c int) (header []byte, out [][]byte) {
	header, rest := blob[:BlobHeaderSize], blob[BlobHeaderSize:]
	for len(rest) > 0 {
		k := min(len(rest), c+BlobChunkOverhead)
		out = append(out, rest[:k])
		rest = rest[k:]
	}
	return header, out
}

// join builds a blob from a header and chunks.
func join(header []byte, cs ...[]byte) []byte {
	return bytes.Join(append([][]byte{header}, cs...), nil)
}

// forge seals chunks of plain under the key and header of a real blob
// with the flags given, something only a holder of the data key can do:
// it builds blobs that authenticate chunk by chunk but break the framing.
func forge(t *testing.T, dk DataKey, header, aad []byte, parts [][]byte, last []bool) []byte {
	t.Helper()
	aead, err := blobAEAD(dk.raw, header, aad)
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(header)
	var nonce [blobNonceSize]byte
	for i, p := range parts {
		setBlobNonce(&nonce, uint64(i), last[i])
		out = aead.Seal(out, nonce[:], p, nil)
	}
	return out
}

// checkRefused opens blob and checks that it fails as unreadable, and that
// whatever plaintext came out before the failure is whole chunks of plain.
func checkRefused(t *testing.T, dk DataKey, blob, aad, plain []byte, c int) {
	t.Helper()
	got, err := openBlob(dk, blob, aad)
	if err == nil {
		t.Fatalf("opened: got %d bytes and no error", len(got))
	}
	if !IsUnreadable(err) || idv.ErrorCode(err) != idv.CodeInternal {
		t.Errorf("err = %v: IsUnreadable %v, code %q; want true, %q",
			err, IsUnreadable(err), idv.ErrorCode(err), idv.CodeInternal)
	}
	if len(got)%c != 0 || !bytes.HasPrefix(plain, got) {
		t.Errorf("returned %d bytes before the error: want whole verified chunks of the plaintext", len(got))
	}
}

func TestBlobRefusesTampering(t *testing.T) {
	const c = 32
	dk := testDataKey(t, 1)
	aad := AAD("session", "ses_1", "media", "med_1")
	plain := pattern(3*c+5, 1) // chunks of 32, 32, 32 and 5 bytes
	blob := sealBlob(t, dk, plain, aad, c, 1)
	h, cs := chunks(blob, c)
	exact := pattern(2*c, 2) // two full chunks, the last one full
	exactBlob := sealBlob(t, dk, exact, aad, c, 2)
	eh, ecs := chunks(exactBlob, c)
	other := sealBlob(t, dk, pattern(3*c+5, 3), aad, c, 3) // same key and aad, another salt
	oh, ocs := chunks(other, c)
	otherSize := bytes.Clone(h)
	binary.BigEndian.PutUint32(otherSize[len(blobMagic)+1:], 64)

	for _, tc := range []struct {
		name  string
		key   DataKey
		blob  []byte
		aad   []byte
		plain []byte
	}{
		{"wrong key", testDataKey(t, 2), blob, aad, plain},
		{"wrong aad", dk, blob, AAD("session", "ses_1", "media", "med_2"), plain},
		{"no aad", dk, blob, nil, plain},
		{"empty input", dk, nil, aad, plain},
		{"header only", dk, h, aad, plain},
		{"bad magic", dk, append([]byte("OIDVBLOC"), blob[8:]...), aad, plain},
		{"unknown version", dk, append(append(bytes.Clone(blob[:8]), 2), blob[9:]...), aad, plain},
		{"chunk size changed", dk, join(otherSize, cs...), aad, plain},
		{"chunk size too large", dk, append(append(bytes.Clone(blob[:9]), 0, 0x20, 0, 0), blob[13:]...), aad, plain},
		{"chunk size too small", dk, append(append(bytes.Clone(blob[:9]), 0, 0, 0, 1), blob[13:]...), aad, plain},
		{"salt of another blob", dk, join(oh, cs...), aad, plain},
		{"chunk of another blob", dk, join(h, cs[0], ocs[1], cs[2], cs[3]), aad, plain},
		{"last chunk dropped", dk, join(h, cs[:3]...), aad, plain},
		{"middle chunk dropped", dk, join(h, cs[0], cs[2], cs[3]), aad, plain},
		{"first chunk dropped", dk, join(h, cs[1:]...), aad, plain},
		{"chunks swapped", dk, join(h, cs[1], cs[0], cs[2], cs[3]), aad, plain},
		{"chunk repeated", dk, join(h, cs[0], cs[0], cs[1], cs[2], cs[3]), aad, plain},
		{"last chunk repeated", dk, join(h, cs[0], cs[1], cs[2], cs[3], cs[3]), aad, plain},
		{"byte appended", dk, append(bytes.Clone(blob), 0), aad, plain},
		{"blob appended to itself", dk, append(bytes.Clone(blob), cs[0]...), aad, plain},
		{"full last chunk dropped", dk, join(eh, ecs[0]), aad, exact},
		{"byte appended to a full last chunk", dk, append(bytes.Clone(exactBlob), 0), aad, exact},
		{"empty final chunk added", dk,
			forge(t, dk, eh, aad, [][]byte{exact[:c], exact[c:], nil}, []bool{false, false, true}), aad, exact},
		{"final chunk missing", dk,
			forge(t, dk, eh, aad, [][]byte{exact[:c], exact[c:]}, []bool{false, false}), aad, exact},
		{"data after the final chunk", dk,
			forge(t, dk, eh, aad, [][]byte{exact[:c], exact[c:]}, []bool{true, true}), aad, exact},
		{"short chunk before the last", dk,
			forge(t, dk, eh, aad, [][]byte{exact[:c-1], exact[c-1:]}, []bool{false, true}), aad, exact},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRefused(t, tc.key, tc.blob, tc.aad, tc.plain, c)
		})
	}
}

// TestBlobRefusesEveryBitFlipAndCut flips each bit of a blob, and cuts it
// at every length: none opens, none yields unverified plaintext.
func TestBlobRefusesEveryBitFlipAndCut(t *testing.T) {
	const c = 32
	dk := testDataKey(t, 1)
	for _, n := range []int{0, 1, c, 2*c + 7} {
		plain := pattern(n, 4)
		blob := sealBlob(t, dk, plain, []byte("aad"), c, 5)
		for i := range blob {
			for bit := range 8 {
				bad := bytes.Clone(blob)
				bad[i] ^= 1 << bit
				checkRefused(t, dk, bad, []byte("aad"), plain, c)
			}
		}
		for cut := range len(blob) {
			checkRefused(t, dk, blob[:cut], []byte("aad"), plain, c)
		}
		if got, err := openBlob(dk, blob, []byte("aad")); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("untouched blob of %d bytes: %d bytes, %v", n, len(got), err)
		}
	}
}

// TestBlobTamperingAtDefaultChunkSize repeats the main cases with the
// chunk size the server writes.
func TestBlobTamperingAtDefaultChunkSize(t *testing.T) {
	const c = BlobChunkSize
	dk := testDataKey(t, 1)
	plain := pattern(2*c+1, 6)
	blob := sealBlob(t, dk, plain, nil, c, 6)
	h, cs := chunks(blob, c)
	for _, tc := range []struct {
		name string
		blob []byte
	}{
		{"truncated at a chunk boundary", join(h, cs[0], cs[1])},
		{"last byte cut", blob[:len(blob)-1]},
		{"chunks swapped", join(h, cs[1], cs[0], cs[2])},
		{"byte appended", append(bytes.Clone(blob), 1)},
		{"bit flipped in the last chunk", append(join(h, cs[0], cs[1]), cs[2][0]^0x80, cs[2][1])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRefused(t, dk, tc.blob, nil, plain, c)
		})
	}
}

// TestBlobErrorsAreSticky reads a blob whose second chunk is damaged: the
// first chunk comes out, then the same error on every later Read.
func TestBlobErrorsAreSticky(t *testing.T) {
	dk := testDataKey(t, 1)
	plain := pattern(3*16, 7)
	blob := sealBlob(t, dk, plain, nil, 16, 7)
	blob[BlobHeaderSize+32+5] ^= 1
	r, err := dk.NewBlobReader(bytes.NewReader(blob), nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if n, err := r.Read(buf); n != 16 || err != nil || !bytes.Equal(buf[:n], plain[:16]) {
		t.Fatalf("first Read = %d, %v; want the first chunk", n, err)
	}
	for range 3 {
		if n, err := r.Read(buf); n != 0 || !IsUnreadable(err) {
			t.Errorf("Read = %d, %v; want 0, unreadable", n, err)
		}
	}
}
