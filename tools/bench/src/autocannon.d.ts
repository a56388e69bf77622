// autocannon ships no types; the benchmark uses only its callback API.
declare module 'autocannon' {
  function autocannon(options: Record<string, unknown>, callback: (error: Error | null, result: never) => void): unknown;
  export default autocannon;
}
