#define _GNU_SOURCE
#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void bs_json_init(struct bs_json *self)
{
	self->text = NULL;
	self->len = self->cap = 0;
	self->failed = 0;
}

void bs_json_free(struct bs_json *self)
{
	free(self->text);
	bs_json_init(self);
}

static void json_append(struct bs_json *self, const char *data, size_t n)
{
	if (self->failed)
		return;
	if (self->len + n + 1 > self->cap) {
		size_t cap = self->cap ? self->cap : 256;
		while (cap < self->len + n + 1)
			cap *= 2;
		if (cap > BS_META_MAX) {
			self->failed = 1;
			return;
		}
		char *grown = realloc(self->text, cap);
		if (!grown) {
			self->failed = 1;
			return;
		}
		self->text = grown;
		self->cap = cap;
	}
	memcpy(self->text + self->len, data, n);
	self->len += n;
	self->text[self->len] = '\0';
}

void bs_json_raw(struct bs_json *self, const char *text)
{
	json_append(self, text, strlen(text));
}

/* Control characters are escaped; other bytes pass through (kernel strings
 * are ASCII; anything else decodes as U+FFFD, as napi does). */
void bs_json_str(struct bs_json *self, const char *s, size_t len)
{
	char esc[8];

	json_append(self, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			json_append(self, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			json_append(self, esc, 6);
		} else {
			json_append(self, (const char *)&s[i], 1);
		}
	}
	json_append(self, "\"", 1);
}

void bs_json_key(struct bs_json *self, const char *key)
{
	if (self->len && self->text[self->len - 1] != '{' && self->text[self->len - 1] != '[')
		json_append(self, ",", 1);
	bs_json_str(self, key, strlen(key));
	json_append(self, ":", 1);
}

void bs_json_u64(struct bs_json *self, uint64_t n)
{
	char num[24];
	json_append(self, num, (size_t)snprintf(num, sizeof(num), "%llu", (unsigned long long)n));
}

void bs_json_i64(struct bs_json *self, int64_t n)
{
	char num[24];
	json_append(self, num, (size_t)snprintf(num, sizeof(num), "%lld", (long long)n));
}

void bs_json_double(struct bs_json *self, double d)
{
	char num[40];
	json_append(self, num, (size_t)snprintf(num, sizeof(num), "%.9f", d));
}

/* --- request parsing: one flat object of scalars plus "blobs":[n…] --- */

struct cursor {
	const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int expect(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return -EINVAL;
	c->p++;
	return 0;
}

/* Strings: printable ASCII/UTF-8 plus the simple escapes; \u only below 0x80. */
static int parse_string(struct cursor *c, char *out, size_t size)
{
	size_t n = 0;

	if (expect(c, '"'))
		return -EINVAL;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if ((unsigned char)ch < 0x20)
			return -EINVAL;
		if (ch == '\\') {
			if (c->p >= c->end)
				return -EINVAL;
			ch = *c->p++;
			switch (ch) {
			case '"': case '\\': case '/': break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				unsigned v = 0;
				if (c->end - c->p < 4)
					return -EINVAL;
				for (int i = 0; i < 4; i++) {
					char h = *c->p++;
					v <<= 4;
					if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
					else return -EINVAL;
				}
				if (v == 0 || v >= 0x80)
					return -EINVAL;
				ch = (char)v;
				break;
			}
			default: return -EINVAL;
			}
		}
		if (n + 1 >= size)
			return -E2BIG;
		out[n++] = ch;
	}
	if (c->p >= c->end)
		return -EINVAL;
	c->p++;
	out[n] = '\0';
	return 0;
}

static int parse_number(struct cursor *c, double *out)
{
	char num[32];
	size_t n = 0;
	char *end;

	skip_ws(c);
	while (c->p < c->end && n + 1 < sizeof(num) &&
	       (strchr("0123456789+-.eE", *c->p) != NULL))
		num[n++] = *c->p++;
	if (n == 0)
		return -EINVAL;
	num[n] = '\0';
	*out = strtod(num, &end);
	return *end == '\0' ? 0 : -EINVAL;
}

static int match_word(struct cursor *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int parse_blob_lengths(struct cursor *c, struct bs_request *out, uint64_t *total)
{
	if (expect(c, '['))
		return -EINVAL;
	skip_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		double len;
		if (out->nblobs == BS_BLOBS_MAX || parse_number(c, &len) || len < 0 || len > BS_REQUEST_MAX ||
		    len != (double)(uint32_t)len)
			return -EINVAL;
		out->blob_len[out->nblobs++] = (uint32_t)len;
		*total += (uint32_t)len;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		return expect(c, ']');
	}
}

int bs_request_parse(const uint8_t *body, uint32_t body_len, struct bs_request *out)
{
	uint32_t meta_len;
	uint64_t blob_total = 0;
	struct cursor c;
	const uint8_t *blob;

	memset(out, 0, sizeof(*out));
	if (body_len < 4)
		return -EINVAL;
	meta_len = (uint32_t)body[0] | (uint32_t)body[1] << 8 | (uint32_t)body[2] << 16 | (uint32_t)body[3] << 24;
	if (meta_len > body_len - 4)
		return -EINVAL;
	c.p = (const char *)body + 4;
	c.end = c.p + meta_len;
	if (expect(&c, '{'))
		return -EINVAL;
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}')
		c.p++;
	else
		for (;;) {
			char key[32];
			struct bs_field *f;

			if (parse_string(&c, key, sizeof(key)) || expect(&c, ':'))
				return -EINVAL;
			skip_ws(&c);
			if (strcmp(key, "blobs") == 0) {
				if (parse_blob_lengths(&c, out, &blob_total))
					return -EINVAL;
			} else {
				if (out->nfields == BS_REQ_FIELDS)
					return -E2BIG;
				f = &out->fields[out->nfields++];
				memcpy(f->key, key, sizeof(key));
				if (c.p < c.end && *c.p == '"') {
					f->type = BS_F_STR;
					if (parse_string(&c, f->str, sizeof(f->str)))
						return -EINVAL;
				} else if (match_word(&c, "true") || match_word(&c, "false")) {
					f->type = BS_F_BOOL;
					f->num = c.p[-1] == 'e' && c.p[-2] == 'u';
				} else if (match_word(&c, "null")) {
					f->type = BS_F_NULL;
				} else {
					f->type = BS_F_NUM;
					if (parse_number(&c, &f->num))
						return -EINVAL;
				}
			}
			skip_ws(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (expect(&c, '}'))
				return -EINVAL;
			break;
		}
	skip_ws(&c);
	if (c.p != c.end || blob_total != (uint64_t)body_len - 4 - meta_len)
		return -EINVAL;
	blob = body + 4 + meta_len;
	for (unsigned i = 0; i < out->nblobs; i++) {
		out->blob[i] = blob;
		blob += out->blob_len[i];
	}
	return 0;
}

const struct bs_field *bs_request_field(const struct bs_request *self, const char *key)
{
	for (unsigned i = 0; i < self->nfields; i++)
		if (strcmp(self->fields[i].key, key) == 0)
			return &self->fields[i];
	return NULL;
}

int bs_request_u32(const struct bs_request *self, const char *key, uint32_t *out)
{
	const struct bs_field *f = bs_request_field(self, key);

	if (!f || f->type != BS_F_NUM || f->num < 0 || f->num > 4294967295.0 || f->num != (double)(uint32_t)f->num)
		return -EINVAL;
	*out = (uint32_t)f->num;
	return 0;
}

/* --- framing --- */

/* 1: EOF before any byte; 0: filled; -EPIPE: EOF after some bytes. */
static int read_exact(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return got == 0 ? 1 : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int bs_frame_read(int fd, uint8_t *buf, uint32_t cap, uint32_t *body_len)
{
	uint8_t head[4];
	int err = read_exact(fd, head, sizeof(head));

	if (err)
		return err;
	*body_len = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
	if (*body_len > cap)
		return -E2BIG;
	if (*body_len < 4)
		return -EINVAL;
	err = read_exact(fd, buf, *body_len);
	return err == 1 ? -EPIPE : err;
}

int bs_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int bs_frame_write(int fd, const char *meta, size_t meta_len, const uint8_t *const *blobs,
		   const uint32_t *blob_lens, unsigned nblobs)
{
	uint8_t head[8];
	uint64_t body = 4 + (uint64_t)meta_len;
	int err;

	for (unsigned i = 0; i < nblobs; i++)
		body += blob_lens[i];
	if (body > BS_RESPONSE_MAX || meta_len > BS_META_MAX)
		return -E2BIG;
	put_le32(head, (uint32_t)body);
	put_le32(head + 4, (uint32_t)meta_len);
	if ((err = bs_write_all(fd, head, sizeof(head))) || (err = bs_write_all(fd, meta, meta_len)))
		return err;
	for (unsigned i = 0; i < nblobs; i++)
		if (blob_lens[i] && (err = bs_write_all(fd, blobs[i], blob_lens[i])))
			return err;
	return 0;
}
