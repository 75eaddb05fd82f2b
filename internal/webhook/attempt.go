package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/webhooksig"
)

// ResponseExcerpt is how much of an answer is recorded.
const ResponseExcerpt = 2 << 10

// drainLimit is how much more of an answer is read (and dropped): the
// answer must end within the attempt's deadline, and an answer longer than
// ResponseExcerpt + drainLimit is cut there and its connection closed.
const drainLimit = 64 << 10

// attempt sends one delivery and says what happens next.
func (d *Dispatcher) attempt(c idv.ClaimedDelivery) idv.AttemptResult {
	start := d.cfg.Now()
	res := idv.AttemptResult{DeliveryID: c.Delivery.ID, Claim: c.Claim, EndpointID: c.Endpoint.ID,
		Attempt:       idv.WebhookAttempt{DeliveryID: c.Delivery.ID, StartedAt: start},
		FailingCutoff: start.Add(-d.cfg.DisableAfter),
		FailingReason: "every attempt failed for " + days(d.cfg.DisableAfter)}
	status, excerpt, wait, err := d.send(c, start)
	res.Attempt.Latency = d.cfg.Now().Sub(start)
	res.Attempt.StatusCode, res.Attempt.Response = status, excerpt
	switch {
	case err != nil:
		res.Attempt.Error = err.Error()
	case status >= 200 && status < 300:
		res.State, res.Success = idv.DeliveryDelivered, true
		return res
	case status == http.StatusGone:
		res.Attempt.Error = "410 Gone: the endpoint is disabled"
		res.State, res.Disable = idv.DeliveryFailed, "410 Gone"
		return res
	case status >= 300 && status < 400:
		res.Attempt.Error = fmt.Sprintf("HTTP %d: redirects are not followed; update the endpoint URL", status)
	default:
		res.Attempt.Error = fmt.Sprintf("HTTP %d", status)
	}
	delay, ok := nextDelay(d.cfg.Schedule, c.Delivery.RoundAttempts+1, wait)
	if !ok {
		res.State = idv.DeliveryFailed
		return res
	}
	res.State, res.NextAttemptAt = idv.DeliveryPending, start.Add(res.Attempt.Latency+delay)
	return res
}

// send POSTs the payload, signed now, and returns the status, the start
// of the answer and its Retry-After.
func (d *Dispatcher) send(c idv.ClaimedDelivery, now time.Time) (int, string, time.Duration, error) {
	secrets, err := d.cfg.Secrets(c.Endpoint, now)
	if err != nil {
		return 0, "", 0, fmt.Errorf("endpoint secret unreadable: %v", err)
	}
	if len(secrets) == 0 {
		return 0, "", 0, errors.New("endpoint has no signing secret")
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := webhooksig.Sign(s, c.Delivery.MessageID, now, c.Payload)
		if err != nil {
			return 0, "", 0, fmt.Errorf("sign: %w", err)
		}
		sigs = append(sigs, sig)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint.URL, bytes.NewReader(c.Payload))
	if err != nil {
		return 0, "", 0, fmt.Errorf("request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", d.cfg.UserAgent)
	h.Set(webhooksig.HeaderID, c.Delivery.MessageID)
	h.Set(webhooksig.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(webhooksig.HeaderSignature, strings.Join(sigs, " "))
	h.Set("Idempotency-Key", c.Delivery.MessageID)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, "", 0, errors.New(describe(err))
	}
	defer resp.Body.Close()
	head, err := readAnswer(resp.Body)
	if err != nil {
		// The status alone is not an answer: a receiver that stalls (or
		// drips) its body past the deadline has not taken the delivery.
		return resp.StatusCode, clean(head), 0,
			fmt.Errorf("HTTP %d, then the answer did not end: %s", resp.StatusCode, describe(err))
	}
	return resp.StatusCode, clean(head), retryAfter(resp.Header, now), nil
}

// readAnswer reads the first ResponseExcerpt bytes of an answer and the
// rest up to drainLimit more, which must end (EOF) within the attempt's
// deadline; an answer longer than that is cut without error.
func readAnswer(body io.Reader) ([]byte, error) {
	head, err := io.ReadAll(io.LimitReader(body, ResponseExcerpt))
	if err != nil {
		return head, err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	return head, err
}

// clean makes a response excerpt storable text: valid UTF-8, no NUL.
func clean(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// days writes a duration in days when it is a whole number of them.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	}
	return d.String()
}
