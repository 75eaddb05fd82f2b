package main

import (
	"log/slog"
	"net"
	"slices"
	"strconv"

	"github.com/openidv/openidv/internal/config"
)

// devBanner is printed on stderr, outside the JSON log, when the server
// starts in development mode, so that nobody misses it.
const devBanner = "*** DEVELOPMENT MODE (--dev): GET /dev/inbox shows every one-time code to anyone " +
	"who can reach this server. Never start a production server with --dev. ***"

// listenHosts are the Host values that name the listening address addr:
// the bound IP on its port, and the loopback names when the server listens
// on loopback or on every interface.
func listenHosts(addr net.Addr) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil
	}
	port := strconv.Itoa(tcp.Port)
	var hosts []string
	if tcp.IP.IsUnspecified() || tcp.IP.IsLoopback() {
		hosts = append(hosts, net.JoinHostPort("localhost", port), net.JoinHostPort("127.0.0.1", port),
			net.JoinHostPort("::1", port))
	}
	if h := net.JoinHostPort(tcp.IP.String(), port); !tcp.IP.IsUnspecified() && !slices.Contains(hosts, h) {
		hosts = append(hosts, h)
	}
	return hosts
}

// warnExposure warns at start-up about what an operator must not miss:
// development mode, codes written to the log instead of being sent, and
// URLs built from the Host header. cfg.AllowedHosts must already hold the
// listening address.
func warnExposure(cfg config.Config, log *slog.Logger) {
	if cfg.Dev {
		log.Warn("development mode is on (--dev): GET /dev/inbox shows every one-time code to anyone who can reach this server; never use it in production")
	}
	if usesLogSender(cfg) {
		log.Warn("one-time codes are written to this log, not sent: set sms.provider and email.provider before production",
			"sms_provider", cfg.SMS.Provider, "email_provider", cfg.Email.Provider, "dev_inbox", cfg.Dev)
	}
	if cfg.PublicURL == "" {
		log.Warn("public_url is not set: session URLs and the hosted page are built from the Host header, "+
			"which must be one of these hosts (others get 400); set public_url (OPENIDV_PUBLIC_URL) in production",
			"allowed_hosts", cfg.AllowedHosts)
	}
}
