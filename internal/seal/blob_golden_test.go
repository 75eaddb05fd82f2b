package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// blobVector is one known-answer vector of the blob format.
type blobVector struct {
	Name      string `json:"name"`
	Key       string `json:"key"`  // hex, the raw data key
	Salt      string `json:"salt"` // hex
	AAD       string `json:"aad"`  // hex
	ChunkSize int    `json:"chunk_size"`
	Plaintext string `json:"plaintext"` // hex
	Blob      string `json:"blob"`      // hex, what the writer must produce
}

// blobVectorInputs are the inputs of testdata/blob_v1.golden.json.
func blobVectorInputs() []blobVector {
	key := make([]byte, KeySize)
	salt := make([]byte, blobSaltSize)
	for i := range key {
		key[i], salt[i] = byte(i), byte(0xa0+i)
	}
	aad := AAD("session", "ses_golden", "media", "med_1")
	text := []byte("OpenIDV evidence blob, format version 1, in chunks!!") // 53 bytes
	v := func(name string, chunk int, plain []byte) blobVector {
		return blobVector{Name: name, Key: hex.EncodeToString(key), Salt: hex.EncodeToString(salt),
			AAD: hex.EncodeToString(aad), ChunkSize: chunk, Plaintext: hex.EncodeToString(plain)}
	}
	return []blobVector{
		v("empty", BlobChunkSize, nil),
		v("one chunk", BlobChunkSize, text),
		v("four chunks, short last", 16, text),
		v("two chunks, full last", 16, text[:32]),
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlobGolden pins the format: the writer must produce the committed
// bytes for fixed inputs, the reader must open them, and so must specOpen,
// an independent decoder written from docs/encryption.md.
func TestBlobGolden(t *testing.T) {
	path := filepath.Join("testdata", "blob_v1.golden.json")
	var want []blobVector
	if !*update {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestBlobGolden -update to create it)", err)
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
	}
	got := blobVectorInputs()
	for i := range got {
		v := &got[i]
		dk, err := newDataKey(mustHex(t, v.Key))
		if err != nil {
			t.Fatal(err)
		}
		plain, aad := mustHex(t, v.Plaintext), mustHex(t, v.AAD)
		var buf bytes.Buffer
		w, err := dk.newBlobWriter(&buf, aad, bytes.NewReader(mustHex(t, v.Salt)), v.ChunkSize)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		v.Blob = hex.EncodeToString(buf.Bytes())
		if *update {
			continue
		}
		if i >= len(want) || want[i] != *v {
			t.Errorf("vector %q: the writer's output differs from %s: the blob format changed", v.Name, path)
			continue
		}
		blob := mustHex(t, want[i].Blob)
		if out, err := openBlob(dk, blob, aad); err != nil || !bytes.Equal(out, plain) {
			t.Errorf("vector %q: NewBlobReader = %q, %v; want %q", v.Name, out, err, plain)
		}
		if out, err := specOpen(mustHex(t, v.Key), blob, aad); err != nil || !bytes.Equal(out, plain) {
			t.Errorf("vector %q: specOpen = %q, %v; want %q", v.Name, out, err, plain)
		}
	}
	if len(want) != len(got) && !*update {
		t.Errorf("%s has %d vectors, want %d", path, len(want), len(got))
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// specOpen decrypts a blob following docs/encryption.md step by step,
// without the package's reader, reading the whole blob at once.
func specOpen(dataKey, blob, aad []byte) ([]byte, error) {
	if len(blob) < 45 || string(blob[:8]) != "OIDVBLOB" || blob[8] != 1 {
		return nil, errors.New("bad header")
	}
	chunkSize := int(binary.BigEndian.Uint32(blob[9:13]))
	salt := blob[13:45]
	info := append(append([]byte("openidv/seal/v1/blob"), blob[:13]...), aad...)
	key, err := hkdf.Key(sha256.New, dataKey, salt, string(info), 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var out []byte
	rest := blob[45:]
	for i := uint64(0); ; i++ {
		n := min(len(rest), chunkSize+16)
		last := n == len(rest)
		nonce := make([]byte, 12)
		binary.BigEndian.PutUint64(nonce[3:11], i)
		if last {
			nonce[11] = 1
		}
		if out, err = gcm.Open(out, nonce, rest[:n], nil); err != nil {
			return nil, err
		}
		if last {
			return out, nil
		}
		rest = rest[n:]
	}
}
