package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/openidv/openidv/internal/app"
)

// streamer is a reply body encoded straight to the response, item by item,
// so that an answer's memory is the items already in hand, not one more
// copy of their encoding.
type streamer interface {
	writeJSON(w io.Writer) error
}

// stream runs fn and writes its streamer answer, or its error as usual.
func (s *Server) stream(w http.ResponseWriter, c *call, fn apiFunc) {
	rep, err := fn(c.r.Context(), c)
	body, ok := rep.body.(streamer)
	if err == nil && !ok {
		err = fmt.Errorf("stream: %T is not a streamer", rep.body)
	}
	if err != nil {
		status, b, retry := s.run(c, func(context.Context, *call) (reply, error) { return reply{}, err })
		writeAnswer(w, status, b, retry)
		return
	}
	w.Header()["Content-Type"] = []string{"application/json; charset=utf-8"}
	w.WriteHeader(rep.status)
	if err := body.writeJSON(w); err != nil {
		// The status is sent: the client sees a cut answer. Mostly a
		// client that went away.
		s.log.DebugContext(c.r.Context(), "streaming an answer failed", "request_id", stateOf(c.r).requestID,
			"route", routeOf(c.r), "error", err.Error())
	}
}

// eventsStream is the answer of GET .../events:
// {"events": [...], "next_cursor": "…"|null, "has_more": bool}.
type eventsStream struct {
	page app.EventPage
}

func (e eventsStream) writeJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 16<<10)
	enc := json.NewEncoder(bw)
	_, _ = bw.WriteString(`{"events":[`)
	for i, ev := range e.page.Events {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if err := enc.Encode(ev); err != nil {
			return err
		}
	}
	_, _ = bw.WriteString(`],"next_cursor":`)
	if e.page.HasMore {
		if err := enc.Encode(e.page.NextCursor); err != nil {
			return err
		}
	} else {
		_, _ = bw.WriteString("null")
	}
	_, _ = fmt.Fprintf(bw, ",\"has_more\":%t}\n", e.page.HasMore)
	return bw.Flush()
}
