package smtptest

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// decodeHeader undoes RFC 2047 encoded words; on failure it returns v.
func decodeHeader(v string) string {
	dec := new(mime.WordDecoder)
	out, err := dec.DecodeHeader(v)
	if err != nil {
		return v
	}
	return out
}

// decodeBody returns the text of a message: the first text/plain part of a
// multipart message, with its transfer encoding undone and CRLF turned
// into LF.
func decodeBody(h mail.Header, body io.Reader) string {
	text := decodePart(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), body, 0)
	return strings.ReplaceAll(text, "\r\n", "\n")
}

// decodePart decodes one part, descending into multipart containers.
func decodePart(contentType, encoding string, body io.Reader, depth int) string {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err == nil && strings.HasPrefix(mediaType, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		var first string
		for i := 0; ; i++ {
			p, err := mr.NextRawPart()
			if err != nil {
				return first
			}
			text := decodePart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
				return text
			}
			if i == 0 {
				first = text
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	}
	b, _ := io.ReadAll(io.LimitReader(r, 10<<20))
	return string(b)
}

// crlfStripper drops line breaks so base64 bodies decode.
type crlfStripper struct{ r io.Reader }

// Read implements io.Reader.
func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}
