package app

import (
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// apiKeyTTL is how long a looked-up API key is trusted without asking the
// store again. It bounds how long a key revoked directly in the database
// (or on another replica) keeps working here.
const apiKeyTTL = 5 * time.Second

// maxAPIKeyEntries bounds the cache; only known keys are kept, so its size
// is the number of keys in use.
const maxAPIKeyEntries = 1024

// apiKeyCache keeps recently used API keys by the hash of their secret, so
// that a request with a key costs no store read while the entry is fresh.
// Unknown keys are never cached.
type apiKeyCache struct {
	mu sync.RWMutex
	m  map[[32]byte]apiKeyEntry
}

type apiKeyEntry struct {
	key   idv.APIKey
	until time.Time
}

func (c *apiKeyCache) get(hash [32]byte, now time.Time) (idv.APIKey, bool) {
	c.mu.RLock()
	e, ok := c.m[hash]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return idv.APIKey{}, false
	}
	return e.key, true
}

func (c *apiKeyCache) put(hash [32]byte, key idv.APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxAPIKeyEntries {
		c.m = make(map[[32]byte]apiKeyEntry)
	}
	c.m[hash] = apiKeyEntry{key: key, until: now.Add(apiKeyTTL)}
}
