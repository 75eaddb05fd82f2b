// Package idvtest builds what the tests of several packages need around the
// application: a migrated store (SQLite in a temporary directory, or a fresh
// PostgreSQL database when OPENIDV_TEST_POSTGRES_URL is set), an app.Service
// with a fixed master key and private and public API keys, a clock the test
// moves by hand, a deterministic random source and an inbox that captures
// the SMS and email the service sends.
//
// It is for tests only: internal/archtest forbids importing it from
// non-test files. It imports internal/app, so the tests of package app use
// it from the external test package app_test; it imports the SQL stores,
// so their own tests (and internal/storetest, which they import) cannot.
package idvtest
