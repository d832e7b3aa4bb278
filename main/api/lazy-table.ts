// A table whose entries are built on first read, each on its own. The API contract holds
// about sixty schemas; zod builds each eagerly, and building all of them as the page's
// script loaded cost ~80 ms before the first paint, for methods most pages never call.

export type BuiltTable<B extends Record<string, () => unknown>> = { readonly [K in keyof B]: ReturnType<B[K]> };

export function lazyTable<B extends Record<string, () => unknown>>(builders: B): BuiltTable<B> {
  const table: Record<string, unknown> = {};
  for (const [key, build] of Object.entries(builders)) {
    Object.defineProperty(table, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = build();
        Object.defineProperty(table, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return table as BuiltTable<B>;
}
