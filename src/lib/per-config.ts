/**
 * One value per configuration object: what must outlive a request (the parsed
 * configuration itself, remembered refusals, a JWKS cache, Turnstile
 * verdicts) lives as long as the isolate's env or parsed config, which
 * Workers keep for the isolate's life.
 */
export function perConfig<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const values = new WeakMap<K, V>()
  return (key) => {
    let value = values.get(key)
    if (value === undefined) {
      value = make(key)
      values.set(key, value)
    }
    return value
  }
}
