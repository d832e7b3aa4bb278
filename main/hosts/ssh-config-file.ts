// The user's ~/.ssh/config as one text with its `Include` directives followed the
// way ssh_config(5) says: relative paths from ~/.ssh, `~` expanded, glob patterns
// matched in lexical order, nested includes, a missing or unreadable file ignored.
// The `ssh-config` parser does not follow Include itself, so every reader of the
// config (the sidebar's aliases, resolving a spec to connect) reads it through here.
//
// An included file's lines are put in place of its Include line, and the block the
// Include stood in (`Host …`, `Match …`, or none) is opened again after them, so
// the rest of the including file keeps applying where it did. A Host or Match line
// inside a file included from within a block starts a block of its own here, where
// ssh would apply it only to hosts matching both: Include is nearly always written
// at the top of a config.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { expandHome } from './ssh-target.js';

/** ssh's READCONF_MAX_DEPTH: a deeper Include is not followed. */
const MAX_DEPTH = 16;
/** Files read at most, and bytes kept at most, over all includes of one config. */
const MAX_FILES = 256;
const MAX_BYTES = 4 << 20;

const DIRECTIVE = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*?)\s*$/;

/** The words of a directive's value: whitespace separated, double quotes group. */
function words(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** glob(3) of one name: `*`, `?` and `[…]`; a leading dot is matched only by a dot. */
function nameMatcher(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (close > 0) {
      const set = pattern.slice(i + 1, close).replace(/[\\^\]]/g, '\\$&');
      source += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const GLOB = /[*?[]/;

/** The paths an absolute pattern names, in lexical order; none when nothing matches. */
function expandGlob(pattern: string): string[] {
  if (!GLOB.test(pattern)) return [pattern];
  let paths = ['/'];
  for (const part of pattern.split('/').filter(Boolean)) {
    if (!GLOB.test(part)) {
      paths = paths.map((p) => join(p, part));
      continue;
    }
    const matcher = nameMatcher(part);
    paths = paths.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((name) => (name[0] !== '.' || part[0] === '.') && matcher.test(name))
          .map((name) => join(dir, name));
      } catch {
        return [];
      }
    });
  }
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface Budget {
  files: number;
  bytes: number;
}

/** A regular file's text, or undefined when it is missing, unreadable, not a file or over the budget. */
function readIncluded(path: string, budget: Budget): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || budget.files >= MAX_FILES || budget.bytes + stat.size > MAX_BYTES) return undefined;
    const text = readFileSync(path, 'utf8');
    budget.files += 1;
    budget.bytes += text.length;
    return text;
  } catch {
    return undefined;
  }
}

/** `block`: the Host or Match line the text starts under (`Host *`: none). */
function expand(text: string, home: string, block: string, stack: string[], budget: Budget): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const directive = DIRECTIVE.exec(line);
    const keyword = directive?.[1]!.toLowerCase();
    if (keyword === 'host' || keyword === 'match') block = line.trim();
    if (keyword !== 'include') {
      out.push(line);
      continue;
    }
    if (stack.length > MAX_DEPTH) continue;
    for (const word of words(directive![2]!)) {
      const tilde = expandHome(word, home);
      const absolute = isAbsolute(tilde) ? tilde : join(home, '.ssh', tilde);
      for (const path of expandGlob(absolute)) {
        if (stack.includes(path)) continue;
        const included = readIncluded(path, budget);
        if (included === undefined) continue;
        out.push(...expand(included, home, block, [...stack, path], budget), block);
      }
    }
  }
  return out;
}

/** ~/.ssh/config with its includes in place; '' when there is none. A config that
 * exists but cannot be read is an error; an included file that cannot is skipped. */
export function readSshConfigText(home = homedir()): string {
  const path = join(home, '.ssh', 'config');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  return expand(text, home, 'Host *', [path], { files: 1, bytes: text.length }).join('\n');
}

