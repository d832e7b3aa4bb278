// The window's size and position, remembered between runs in userData, and
// only reused if it still lands on a connected display.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

const Int = z.number().int().min(-100_000).max(100_000);
const BoundsSchema = z.object({ x: Int.optional(), y: Int.optional(), width: Int.min(400), height: Int.min(300), maximized: z.boolean().optional() });

export const DEFAULT_BOUNDS: Bounds = { width: 1280, height: 820 };

function overlaps(b: Bounds, area: Area): boolean {
  if (b.x === undefined || b.y === undefined) return true;
  return b.x < area.x + area.width && b.x + b.width > area.x && b.y < area.y + area.height && b.y + b.height > area.y;
}

/** Saved bounds if readable and visible on one of `displays`, else the defaults. */
export function loadBounds(file: string, displays: Area[]): Bounds {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return DEFAULT_BOUNDS;
  }
  const parsed = BoundsSchema.safeParse(saved);
  if (!parsed.success) return DEFAULT_BOUNDS;
  const bounds = parsed.data;
  if (!displays.some((area) => overlaps(bounds, area))) return { width: bounds.width, height: bounds.height };
  return bounds;
}

export function saveBounds(file: string, bounds: Bounds): void {
  try {
    writeFileSync(file, JSON.stringify(bounds));
  } catch (error) {
    console.error(`bpfscope: cannot save window bounds to ${file}: ${(error as Error).message}`);
  }
}
