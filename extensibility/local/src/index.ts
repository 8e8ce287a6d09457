// The local cloud's public API (filled in by the services below).
export {};
