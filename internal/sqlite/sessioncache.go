package sqlite

import (
	"container/list"
	"sync"

	"github.com/openidv/openidv/internal/idv"
)

// sessionCache keeps recently read sessions, decoded, so that the reads of
// a hot session (preflight polling, websocket pushes, client-token checks)
// skip SQL and JSON. It is coherent because one process owns the database
// file: every committed write of a session leaves a tombstone holding the
// new version, and a read may fill the cache only with a version at least
// as new, so a read that raced a commit cannot put back what it replaced.
type sessionCache struct {
	mu    sync.Mutex
	limit int
	items map[string]*list.Element // of *cacheEntry
	lru   *list.List               // front: most recently used
}

// cacheEntry is a cached session, or a tombstone (sess nil) after a write.
type cacheEntry struct {
	id     string
	minVer int64        // the oldest version a read may store
	sess   *idv.Session // nil for a tombstone
}

func newSessionCache(limit int) *sessionCache {
	return &sessionCache{limit: limit, items: map[string]*list.Element{}, lru: list.New()}
}

// get returns a copy of the cached session.
func (c *sessionCache) get(id string) (idv.Session, bool) {
	if c.limit == 0 {
		return idv.Session{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[id]
	if !ok || el.Value.(*cacheEntry).sess == nil {
		return idv.Session{}, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).sess.Clone(), true
}

// offer stores s, just read from the database, unless the cache knows of a
// newer version.
func (c *sessionCache) offer(s idv.Session) {
	if c.limit == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[s.ID]; ok {
		e := el.Value.(*cacheEntry)
		if s.Version < e.minVer || (e.sess != nil && s.Version <= e.sess.Version) {
			return
		}
		copied := s.Clone()
		e.minVer, e.sess = s.Version, &copied
		c.lru.MoveToFront(el)
		return
	}
	copied := s.Clone()
	c.insert(&cacheEntry{id: s.ID, minVer: s.Version, sess: &copied})
}

// written records that version of session id committed: the cached copy, if
// any, is dropped, and no read of an older version may be stored.
func (c *sessionCache) written(id string, version int64) {
	if c.limit == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[id]; ok {
		e := el.Value.(*cacheEntry)
		e.minVer, e.sess = max(e.minVer, version), nil
		c.lru.MoveToFront(el)
		return
	}
	c.insert(&cacheEntry{id: id, minVer: version})
}

func (c *sessionCache) insert(e *cacheEntry) {
	c.items[e.id] = c.lru.PushFront(e)
	for c.lru.Len() > c.limit {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry).id)
	}
}
