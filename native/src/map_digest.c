#define _GNU_SOURCE
#include "map_digest.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "map_page.h"

/* gen[] of a slot: empty, removed (tombstone), or the pass that last saw it. */
#define GEN_EMPTY 0u
#define GEN_TOMB 1u
#define GEN_FIRST 2u
#define MIN_SLOTS 64u
/* Grow past 7/10 full (linear probing stays short); rebuild at most half full. */
#define LOAD_NUM 7u
#define LOAD_DEN 10u
/* Entries ahead of the one visited whose slots are prefetched. */
#define PREFETCH_AHEAD 16u
/* Slots stay a power of two below 2^31. */
#define MAX_LIVE (1u << 28)
/* Bytes of one read page (keys and values). */
#define PAGE_BYTES (1u << 20)
/* Hash batches fail with ENOSPC when one bucket holds more than asked. */
#define MAX_BATCH_GROWTH 8
/* Entries one pass reads at most: next-key restarts on a churning hash map must end. */
#define MAX_READS (1u << 28)
#define KEY_SEED 0x6a09e667f3bcc908ull
#define VALUE_SEED 0xbb67ae8584caa73bull

/* One slot, slot_size bytes apart so that a lookup touches one cache line. */
struct slot {
	uint64_t vhash;
	uint32_t gen;
	uint8_t key[];
};

/* One page of reads: keys, values and two batch tokens (a bucket index or a key). */
struct page {
	uint32_t n, token;
	uint8_t *keys, *values, *in, *out;
	uint64_t *khash;
};

/* Records (key, then value) back to back, in read order. */
struct records {
	uint8_t *data;
	uint32_t count, cap;
};

struct bs_map_digest {
	uint32_t key_size, value_stride, slot_size;
	uint32_t cap, live, tombs;
	uint32_t pass;
	/* A pass has completed: later passes report changes only. */
	int filled;
	uint8_t *slots;
	/* The entries of the last pass as read. A batch read returns an unchanged map in
	 * the same order every time, so an entry equal to the one read at its position
	 * last time is unchanged and still present, without a hash or a table probe. */
	struct records last;
	/* last holds a whole pass, each key once, whose changes were all reported: the
	 * next pass may compare by position. */
	int last_trusted;
	/* Keys the current pass found something else at the position of: each is gone
	 * unless the pass met it elsewhere. */
	struct records displaced;
	/* Kept between passes: fresh pages each poll cost page faults. */
	struct page pg;
};

static inline struct slot *slot_at(const struct bs_map_digest *d, uint32_t i)
{
	return (struct slot *)(d->slots + (size_t)i * d->slot_size);
}

/* One multiply-xorshift round: a bijection of 64-bit words. */
static inline uint64_t mix(uint64_t h)
{
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 31);
}

static uint64_t hash_bytes(const uint8_t *p, uint32_t n, uint64_t seed)
{
	uint64_t h = seed ^ n, w;
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = mix(h ^ w);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, p + i, n - i);
		h = mix(h ^ w);
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

int bs_map_digest_new(uint32_t key_size, uint32_t value_stride, struct bs_map_digest **out)
{
	struct bs_map_digest *d;

	if (!key_size || key_size > 65536 || !value_stride || value_stride > (1u << 24))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->key_size = key_size;
	d->value_stride = value_stride;
	d->slot_size = (uint32_t)((offsetof(struct slot, key) + key_size + 7) & ~(size_t)7);
	d->pass = GEN_FIRST;
	*out = d;
	return 0;
}

static void free_table(struct bs_map_digest *d)
{
	free(d->slots);
	d->slots = NULL;
	d->cap = d->live = d->tombs = 0;
}

static void page_free(struct page *pg);

/* Forgets the last pass (the next one compares by key only). */
static void forget_last(struct bs_map_digest *d)
{
	free(d->last.data);
	free(d->displaced.data);
	memset(&d->last, 0, sizeof(d->last));
	memset(&d->displaced, 0, sizeof(d->displaced));
	d->last_trusted = 0;
}

void bs_map_digest_free(struct bs_map_digest **self)
{
	if (!*self)
		return;
	free_table(*self);
	forget_last(*self);
	page_free(&(*self)->pg);
	free(*self);
	*self = NULL;
}

uint32_t bs_map_digest_key_size(const struct bs_map_digest *self)
{
	return self->key_size;
}

uint32_t bs_map_digest_value_stride(const struct bs_map_digest *self)
{
	return self->value_stride;
}

/* 1 and the key's slot when present; 0 and the slot to insert at when not. */
static int find(const struct bs_map_digest *d, const uint8_t *key, uint64_t khash, uint32_t *slot)
{
	uint32_t mask = d->cap - 1, i = (uint32_t)khash & mask, insert_at = UINT32_MAX;

	/* Load <= 7/10 guarantees an empty slot, so the probe ends. */
	for (;; i = (i + 1) & mask) {
		const struct slot *s = slot_at(d, i);
		uint32_t g = s->gen;
		if (g == GEN_EMPTY) {
			*slot = insert_at != UINT32_MAX ? insert_at : i;
			return 0;
		}
		if (g == GEN_TOMB) {
			if (insert_at == UINT32_MAX)
				insert_at = i;
		} else if (!memcmp(s->key, key, d->key_size)) {
			*slot = i;
			return 1;
		}
	}
}

/* Rebuilds the table at most half full, dropping tombstones. */
static int rehash(struct bs_map_digest *d)
{
	struct bs_map_digest next = *d;
	uint32_t cap = MIN_SLOTS, slot;

	if (d->live >= MAX_LIVE)
		return -E2BIG;
	while (cap < (d->live + 1) * 2)
		cap *= 2;
	next.cap = cap;
	next.live = next.tombs = 0;
	/* Zeroed: every slot starts GEN_EMPTY. */
	next.slots = calloc(cap, d->slot_size);
	if (!next.slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < d->cap; i++) {
		const struct slot *old = slot_at(d, i);
		if (old->gen < GEN_FIRST)
			continue;
		find(&next, old->key, hash_bytes(old->key, d->key_size, KEY_SEED), &slot);
		memcpy(slot_at(&next, slot), old, d->slot_size);
		next.live++;
	}
	free_table(d);
	*d = next;
	return 0;
}

/* What one pass fills in, with the capacities of its output buffers. */
struct pass {
	struct bs_map_digest *d;
	struct bs_map_changes *out;
	uint32_t max, out_cap, removed_cap;
	/* Entries read so far (the position of the next). */
	uint32_t position;
	/* Compare with d->last by position (it is trusted). */
	int by_position;
	/* This pass may leave d->last trusted: every entry read once, by batch. */
	int trustworthy;
};

/* Room for one more record of size bytes (records hold at most MAX_READS). */
static uint8_t *record_at(struct records *r, uint32_t i, uint32_t size)
{
	if (i >= r->cap) {
		uint32_t cap = r->cap ? r->cap : 1024;
		uint8_t *data;
		while (cap <= i)
			cap *= 2;
		data = realloc(r->data, (size_t)cap * size);
		if (!data)
			return NULL;
		r->data = data;
		r->cap = cap;
	}
	return r->data + (size_t)i * size;
}

static int room(struct pass *p)
{
	if (p->out->count + p->out->removed_count < p->max)
		return 1;
	p->out->more = 1;
	return 0;
}

/* Grows buf (holding n items of size bytes, room for *cap) to hold n + 1, up to max items. */
static int reserve(struct bs_buf *buf, uint32_t *cap, uint32_t n, uint32_t size, uint32_t max)
{
	uint32_t next = *cap ? *cap * 2 : 256;
	uint8_t *data;

	if (n < *cap)
		return 0;
	if (next > max)
		next = max;
	data = realloc(buf->data, (size_t)next * size);
	if (!data)
		return -ENOMEM;
	buf->data = data;
	*cap = next;
	return 0;
}

static int emit_entry(struct pass *p, const uint8_t *key, const uint8_t *value)
{
	struct bs_map_changes *out = p->out;
	uint32_t ks = p->d->key_size, vs = p->d->value_stride, keys_cap = p->out_cap;
	int err = reserve(&out->keys, &keys_cap, out->count, ks, p->max);

	if (!err)
		err = reserve(&out->values, &p->out_cap, out->count, vs, p->max);
	if (err)
		return err;
	memcpy(out->keys.data + (size_t)out->count * ks, key, ks);
	memcpy(out->values.data + (size_t)out->count * vs, value, vs);
	out->count++;
	out->keys.len = out->count * ks;
	out->values.len = out->count * vs;
	return 0;
}

static int visit(struct pass *p, const uint8_t *key, uint64_t khash, const uint8_t *value)
{
	struct bs_map_digest *d = p->d;
	uint64_t vhash;
	uint32_t i = 0;
	int found = d->cap ? find(d, key, khash, &i) : 0, err;
	struct slot *s = found ? slot_at(d, i) : NULL;

	if (s && s->gen == d->pass) {
		/* Read twice in one pass (next-key restarting after a deletion). */
		p->trustworthy = 0;
		return 0;
	}
	p->out->entries++;
	vhash = hash_bytes(value, d->value_stride, VALUE_SEED);
	if (s) {
		s->gen = d->pass;
		if (s->vhash == vhash || !room(p))
			return 0;
		s->vhash = vhash;
		return emit_entry(p, key, value);
	}
	if (!room(p))
		return 0;
	if ((uint64_t)(d->live + d->tombs + 1) * LOAD_DEN > (uint64_t)d->cap * LOAD_NUM) {
		err = rehash(d);
		if (err)
			return err;
		find(d, key, khash, &i);
	}
	s = slot_at(d, i);
	if (s->gen == GEN_TOMB)
		d->tombs--;
	memcpy(s->key, key, d->key_size);
	s->vhash = vhash;
	s->gen = d->pass;
	d->live++;
	return emit_entry(p, key, value);
}

/* Reports the key of slot s as removed and frees the slot. */
static int remove_slot(struct pass *p, struct slot *s)
{
	struct bs_map_digest *d = p->d;
	struct bs_map_changes *out = p->out;
	int err = reserve(&out->removed, &p->removed_cap, out->removed_count, d->key_size, p->max);

	if (err)
		return err;
	memcpy(out->removed.data + (size_t)out->removed_count * d->key_size, s->key, d->key_size);
	out->removed_count++;
	out->removed.len = out->removed_count * d->key_size;
	s->gen = GEN_TOMB;
	d->live--;
	d->tombs++;
	return 0;
}

/* Every key the pass did not see is gone. */
static int emit_removed(struct pass *p)
{
	struct bs_map_digest *d = p->d;

	for (uint32_t i = 0; i < d->cap; i++) {
		struct slot *s = slot_at(d, i);
		if (s->gen < GEN_FIRST || s->gen == d->pass || !room(p))
			continue;
		int err = remove_slot(p, s);
		if (err)
			return err;
	}
	return 0;
}

/* After a pass by position: the keys it did not meet where the last pass had them (and
 * those past its end) are gone unless it met them elsewhere, which marked them. The
 * entries met at their old positions are the last pass's other keys, all present. */
static int emit_displaced(struct pass *p)
{
	struct bs_map_digest *d = p->d;
	uint32_t ks = d->key_size, size = ks + d->value_stride, slot;

	for (uint32_t i = p->position; i < d->last.count; i++) {
		uint8_t *gone = record_at(&d->displaced, d->displaced.count, ks);
		if (!gone)
			return -ENOMEM;
		memcpy(gone, d->last.data + (size_t)i * size, ks);
		d->displaced.count++;
	}
	for (uint32_t i = 0; i < d->displaced.count; i++) {
		const uint8_t *key = d->displaced.data + (size_t)i * ks;
		if (!find(d, key, hash_bytes(key, ks, KEY_SEED), &slot) || slot_at(d, slot)->gen == d->pass)
			continue;
		if (!room(p))
			return 0;
		int err = remove_slot(p, slot_at(d, slot));
		if (err)
			return err;
	}
	return 0;
}

static int page_alloc(struct page *pg, const struct bs_map_digest *d, uint32_t n)
{
	free(pg->keys);
	free(pg->values);
	free(pg->khash);
	pg->n = n;
	pg->keys = malloc((size_t)n * d->key_size);
	pg->values = malloc((size_t)n * d->value_stride);
	pg->khash = malloc((size_t)n * sizeof(uint64_t));
	return pg->keys && pg->values && pg->khash ? 0 : -ENOMEM;
}

static void page_free(struct page *pg)
{
	free(pg->khash);
	free(pg->keys);
	free(pg->values);
	free(pg->in);
	free(pg->out);
	memset(pg, 0, sizeof(*pg));
}

/* Keys deleted between next-key and lookup are skipped. */
static int read_next(struct pass *p, int fd, struct page *pg, const uint8_t *start)
{
	const struct bs_map_digest *d = p->d;
	const uint8_t *prev = start;
	int err;

	/* It may meet a key twice, and its entries are not recorded by position: the next
	 * pass compares by key. (This one still ends by position if it began so: the keys
	 * met here are marked, the positions not reached are checked as displaced.) */
	p->trustworthy = 0;

	for (uint32_t n = 0; n < MAX_READS; n++) {
		err = bs_map_next_key(fd, prev, pg->keys);
		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		memcpy(pg->in, pg->keys, d->key_size);
		prev = pg->in;
		err = bs_map_lookup(fd, pg->keys, pg->values);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		err = visit(p, pg->keys, hash_bytes(pg->keys, d->key_size, KEY_SEED), pg->values);
		if (err)
			return err;
	}
	return -E2BIG;
}

/* Visits a page read by batch, its slots prefetched a few entries ahead: the table is
 * far larger than the caches, so each lookup would otherwise wait on memory. Records
 * every entry at its position for the next pass. */
static int visit_page_by_key(struct pass *p, struct page *pg, uint32_t count)
{
	struct bs_map_digest *d = p->d;
	uint32_t ks = d->key_size, vs = d->value_stride, size = ks + vs;

	for (uint32_t i = 0; i < count; i++)
		pg->khash[i] = hash_bytes(pg->keys + (size_t)i * ks, ks, KEY_SEED);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *key = pg->keys + (size_t)i * ks, *value = pg->values + (size_t)i * vs;
		uint8_t *rec = record_at(&d->last, p->position, size);
		int err;
		if (!rec)
			return -ENOMEM;
		if (i + PREFETCH_AHEAD < count && d->cap)
			__builtin_prefetch(slot_at(d, (uint32_t)pg->khash[i + PREFETCH_AHEAD] & (d->cap - 1)));
		err = visit(p, key, pg->khash[i], value);
		if (err)
			return err;
		memcpy(rec, key, ks);
		memcpy(rec + ks, value, vs);
		p->position++;
	}
	return 0;
}

/* Visits a page against the last pass: an entry equal to the one at its position is
 * unchanged (nothing to hash, probe or write); another goes through the table, and the
 * key it displaces is checked for removal at the end of the pass. */
static int visit_page_by_position(struct pass *p, struct page *pg, uint32_t count)
{
	struct bs_map_digest *d = p->d;
	uint32_t ks = d->key_size, vs = d->value_stride, size = ks + vs;

	for (uint32_t i = 0; i < count; i++, p->position++) {
		const uint8_t *key = pg->keys + (size_t)i * ks, *value = pg->values + (size_t)i * vs;
		uint8_t *rec;
		int err;
		if (p->position < d->last.count) {
			rec = d->last.data + (size_t)p->position * size;
			if (!memcmp(rec, key, ks) && !memcmp(rec + ks, value, vs)) {
				p->out->entries++;
				continue;
			}
			uint8_t *gone = record_at(&d->displaced, d->displaced.count, ks);
			if (!gone)
				return -ENOMEM;
			memcpy(gone, rec, ks);
			d->displaced.count++;
		} else if (!(rec = record_at(&d->last, p->position, size))) {
			return -ENOMEM;
		}
		err = visit(p, key, hash_bytes(key, ks, KEY_SEED), value);
		if (err)
			return err;
		memcpy(rec, key, ks);
		memcpy(rec + ks, value, vs);
	}
	return 0;
}

static int visit_page(struct pass *p, struct page *pg, uint32_t count)
{
	return p->by_position ? visit_page_by_position(p, pg, count) : visit_page_by_key(p, pg, count);
}

static int batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */ || err == -EINTR;
}

static int read_all(struct pass *p, int fd, struct page *pg)
{
	const struct bs_map_digest *d = p->d;
	const uint8_t *in = NULL;
	uint8_t *last = pg->out + pg->token;
	int have_last = 0, growth = 0, last_batch, err;

	for (uint32_t reads = 0; reads < MAX_READS;) {
		uint32_t count = pg->n;
		err = bs_map_lookup_batch(fd, in, pg->out, pg->keys, pg->values, &count);
		if (err == -ENOSPC && count == 0 && growth++ < MAX_BATCH_GROWTH) {
			err = page_alloc(pg, d, pg->n * 2);
			if (err)
				return err;
			continue;
		}
		if (err && err != -ENOENT)
			/* Continue after the last key read: next-key walks hash buckets in batch order. */
			return batch_unsupported(err) ? read_next(p, fd, pg, have_last ? last : NULL) : err;
		last_batch = err == -ENOENT;
		err = visit_page(p, pg, count);
		if (err)
			return err;
		if (count) {
			memcpy(last, pg->keys + (size_t)(count - 1) * d->key_size, d->key_size);
			have_last = 1;
		}
		if (last_batch)
			return 0;
		memcpy(pg->in, pg->out, pg->token);
		in = pg->in;
		reads += count ? count : 1;
	}
	return -E2BIG;
}

int bs_map_digest_diff(struct bs_map_digest *self, int fd, uint32_t max, struct bs_map_changes *out)
{
	struct pass p = { .d = self, .out = out, .max = max, .trustworthy = 1 };
	struct page *pg = &self->pg;
	uint32_t entry = self->key_size + self->value_stride;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!max || (uint64_t)max * entry > BS_AUX_MAX)
		return -EINVAL;
	/* The watch's sizes came from its caller: the kernel must not write past the page. */
	err = bs_map_page_fits(fd, self->key_size, self->value_stride);
	if (err)
		return err;
	if (self->pass == UINT32_MAX) {
		for (uint32_t i = 0; i < self->cap; i++)
			if (slot_at(self, i)->gen >= GEN_FIRST)
				slot_at(self, i)->gen = GEN_FIRST;
		self->pass = GEN_FIRST;
	}
	self->pass++;
	out->fresh = !self->filled;
	p.by_position = self->filled && self->last_trusted;
	self->last_trusted = 0;
	self->displaced.count = 0;
	if (!pg->in) {
		/* pg->out holds the batch token and, after it, the last key read. */
		pg->token = self->key_size > 8 ? self->key_size : 8;
		pg->in = malloc(pg->token);
		pg->out = malloc(2 * (size_t)pg->token);
		err = pg->in && pg->out ? page_alloc(pg, self, PAGE_BYTES / entry ? PAGE_BYTES / entry : 1) : -ENOMEM;
	}
	if (!err) {
		memset(pg->out, 0, 2 * (size_t)pg->token);
		err = read_all(&p, fd, pg);
	}
	if (!err)
		err = p.by_position ? emit_displaced(&p) : emit_removed(&p);
	if (err) {
		/* What was taken into the digest was never delivered: start over. */
		free_table(self);
		forget_last(self);
		page_free(pg);
		self->filled = 0;
		return err;
	}
	self->last.count = p.position;
	self->last_trusted = p.trustworthy && !out->more;
	self->filled = 1;
	return 0;
}

void bs_map_changes_free(struct bs_map_changes *self)
{
	bs_buf_free(&self->keys);
	bs_buf_free(&self->values);
	bs_buf_free(&self->removed);
}
