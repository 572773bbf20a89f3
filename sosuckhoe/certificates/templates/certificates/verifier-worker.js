// The verifier page's service worker: the page, its files and the public lists kept, so that
// it opens and verifies offline. Lists are asked for first (revocations change), the rest is
// taken from the cache first (static names change with their content).
const CACHE = "verifier-{{ version }}";
const KEEP = {{ keep|safe }};
const LISTS = {{ lists|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...KEEP, ...LISTS])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((n) => n.startsWith("verifier-") && n !== CACHE).map((n) => caches.delete(n)))
    ).then(() => self.clients.claim())
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // The page varies by language and cookie: any kept copy beats none offline.
    const kept = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const kept = await caches.match(request, { ignoreVary: true });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const path = new URL(event.request.url).pathname;
  if (LISTS.includes(path) || event.request.mode === "navigate") {
    event.respondWith(networkFirst(event.request));
  } else if (KEEP.includes(path)) {
    event.respondWith(cacheFirst(event.request));
  }
});
