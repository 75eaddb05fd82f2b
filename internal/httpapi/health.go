package httpapi

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"
)

// healthz answers while the process runs.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSONBytes(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
}

// readyz answers 200 when the store is reachable and migrated, else 503.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ready := s.opts.Ready
	if ready == nil {
		ready = s.svc.Ready
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", slog.String("request_id", stateOf(r).requestID),
			slog.String("error", err.Error()))
		writeJSONBytes(w, http.StatusServiceUnavailable, []byte(`{"status":"unavailable"}`+"\n"))
		return
	}
	writeJSONBytes(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
}

// devInboxPage lists the messages of the development sender.
const devInboxPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DEVELOPMENT ONLY: OpenIDV inbox</title>
<style>body{font-family:sans-serif;margin:2rem}.warn{background:#b00020;color:#fff;padding:1rem;font-weight:bold}
table{border-collapse:collapse;margin-top:1rem}td,th{border:1px solid #999;padding:.4rem;text-align:left;vertical-align:top}
pre{margin:0;white-space:pre-wrap}</style></head>
<body><div class="warn" role="alert">Development mode: every code is visible to anyone who can reach this server.
These are the messages a real server would have sent by SMS or email. Never start a production server with --dev.</div>
<h1>Inbox ({{len .}} messages)</h1>
<table><tr><th>#</th><th>To</th><th>Subject</th><th>Body</th></tr>
{{range $i, $m := .}}<tr><td>{{$i}}</td><td>{{$m.To}}</td><td>{{$m.Subject}}</td><td><pre>{{$m.Body}}</pre></td></tr>
{{else}}<tr><td colspan="4">No messages yet.</td></tr>{{end}}
</table></body></html>
`

// devInbox shows the messages of Options.DevInbox, newest last.
func (s *Server) devInbox(w http.ResponseWriter, r *http.Request) {
	if _, err := s.baseURL(r); err != nil { // a foreign Host: DNS rebinding
		s.writeError(w, r, err)
		return
	}
	tmpl := template.Must(template.New("inbox").Parse(devInboxPage))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Robots-Tag", "noindex")
	if err := tmpl.Execute(w, s.opts.DevInbox.Messages()); err != nil {
		s.log.ErrorContext(r.Context(), "dev inbox", slog.String("request_id", stateOf(r).requestID),
			slog.String("error", err.Error()))
	}
}
