// The verifier page: reads an EU DCC (camera, picture, pasted text) and verifies it here, in
// the browser, with the published trust and revocation lists kept in localStorage, so that it
// works offline once loaded. The steps and their reason codes are the server's
// (certificates/verifier.py), in the same order; the browser checks the payload's shape and
// the value sets of a vaccination, not the whole JSON schema nor the signer's key usage.
"use strict";

(() => {
  const DATA = JSON.parse(document.getElementById("verifier-data").textContent);
  const MAX_TEXT = 8192;
  const MAX_INFLATED = 65536;
  const ES256 = -7;
  const PS256 = -37;

  class Refused extends Error {
    constructor(code) {
      super(code);
      this.code = code;
    }
  }

  // Base45 (RFC 9285)

  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

  function base45Decode(text) {
    const values = Array.from(text, (c) => B45.indexOf(c));
    if (values.includes(-1) || values.length % 3 === 1) throw new Refused("base45_invalid");
    const out = [];
    for (let i = 0; i < values.length; i += 3) {
      const [c, d, e] = values.slice(i, i + 3);
      const n = c + d * 45 + (e === undefined ? 0 : e * 2025);
      if (e === undefined) {
        if (n > 0xff) throw new Refused("base45_invalid");
        out.push(n);
      } else {
        if (n > 0xffff) throw new Refused("base45_invalid");
        out.push(n >> 8, n & 0xff);
      }
    }
    return new Uint8Array(out);
  }

  // zlib, by the browser's own DecompressionStream

  async function inflate(bytes) {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
    const parts = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > MAX_INFLATED) throw new Refused("zlib_invalid");
        parts.push(value);
      }
    } catch (error) {
      throw error instanceof Refused ? error : new Refused("zlib_invalid");
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  // CBOR (RFC 8949): what a DCC holds; definite lengths, maps as Map, tags as {tag, value}

  function cborDecode(bytes, code) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    const need = (n) => {
      if (at + n > bytes.length) throw new Refused(code);
    };
    const length = (info) => {
      if (info < 24) return info;
      const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
      if (!size) throw new Refused(code); // indefinite lengths: no DCC uses them
      need(size);
      let n = 0;
      for (let i = 0; i < size; i++) n = n * 256 + bytes[at + i];
      at += size;
      return n;
    };
    const half = (h) => {
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      const sign = h & 0x8000 ? -1 : 1;
      if (exp === 0) return sign * frac * 2 ** -24;
      if (exp === 31) return frac ? NaN : sign * Infinity;
      return sign * (1 + frac / 1024) * 2 ** (exp - 15);
    };
    const item = (depth) => {
      if (depth > 32) throw new Refused(code);
      need(1);
      const head = bytes[at++];
      const major = head >> 5;
      const info = head & 0x1f;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        const size = { 25: 2, 26: 4, 27: 8 }[info];
        if (!size) throw new Refused(code);
        need(size);
        const value =
          size === 2 ? half(view.getUint16(at)) : size === 4 ? view.getFloat32(at) : view.getFloat64(at);
        at += size;
        return value;
      }
      const n = length(info);
      switch (major) {
        case 0:
          return n;
        case 1:
          return -1 - n;
        case 2:
          need(n);
          at += n;
          return bytes.subarray(at - n, at);
        case 3:
          need(n);
          at += n;
          return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(at - n, at));
        case 4: {
          const list = [];
          for (let i = 0; i < n; i++) list.push(item(depth + 1));
          return list;
        }
        case 5: {
          const map = new Map();
          for (let i = 0; i < n; i++) {
            const key = item(depth + 1);
            if (map.has(key)) throw new Refused(code);
            map.set(key, item(depth + 1));
          }
          return map;
        }
        default:
          return { tag: n, value: item(depth + 1) };
      }
    };
    try {
      const value = item(0);
      if (at !== bytes.length) throw new Refused(code);
      return value;
    } catch (error) {
      throw error instanceof Refused ? error : new Refused(code);
    }
  }

  // The Sig_structure signed by COSE_Sign1: ["Signature1", protected, h'', payload]
  function cborHead(major, n) {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    if (n < 65536) return [(major << 5) | 25, n >> 8, n & 0xff];
    return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  }

  function toBeSigned(protectedBytes, payload) {
    const label = new TextEncoder().encode("Signature1");
    const parts = [
      cborHead(4, 4),
      cborHead(3, label.length), label,
      cborHead(2, protectedBytes.length), protectedBytes,
      cborHead(2, 0),
      cborHead(2, payload.length), payload,
    ];
    const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  // COSE_Sign1 and CWT

  const isBytes = (v) => v instanceof Uint8Array;

  function coseParse(bytes) {
    let item = cborDecode(bytes, "cose_invalid");
    if (item && item.tag === 61) item = item.value;
    if (item && item.tag === 18) item = item.value;
    if (!Array.isArray(item) || item.length !== 4) throw new Refused("cose_invalid");
    const [protectedBytes, unprotected, payload, signature] = item;
    if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
      throw new Refused("cose_invalid");
    }
    const protectedMap = protectedBytes.length ? cborDecode(protectedBytes, "cose_invalid") : new Map();
    if (!(protectedMap instanceof Map)) throw new Refused("cose_invalid");
    const header = (label) => (protectedMap.has(label) ? protectedMap.get(label) : unprotected.get(label));
    return { protectedBytes, payload, signature, kid: header(4), alg: header(1) };
  }

  // The CBOR value as JSON data, or cwt_invalid: payloads hold text keys and plain values only.
  function plain(value) {
    if (value === null || ["string", "boolean"].includes(typeof value)) return value;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Refused("cwt_invalid");
      return value;
    }
    if (Array.isArray(value)) return value.map(plain);
    if (value instanceof Map) {
      const object = {};
      for (const [key, item] of value) {
        if (typeof key !== "string") throw new Refused("cwt_invalid");
        object[key] = plain(item);
      }
      return object;
    }
    throw new Refused("cwt_invalid");
  }

  function cwtParse(bytes) {
    const claims = cborDecode(bytes, "cwt_invalid");
    if (!(claims instanceof Map)) throw new Refused("cwt_invalid");
    const hcert = claims.get(-260);
    if (!(hcert instanceof Map) || !(hcert.get(1) instanceof Map)) throw new Refused("cwt_invalid");
    const date = (v) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Refused("cwt_invalid");
      return v;
    };
    return { issuedAt: date(claims.get(6)), expiresAt: date(claims.get(4)), payload: plain(hcert.get(1)) };
  }

  // Signer certificates: the SubjectPublicKeyInfo read out of the DER, checked by WebCrypto

  function derChildren(bytes, start, end) {
    const children = [];
    let at = start;
    while (at < end) {
      const tag = bytes[at];
      let length = bytes[at + 1];
      let header = 2;
      if (length & 0x80) {
        const size = length & 0x7f;
        length = 0;
        for (let i = 0; i < size; i++) length = length * 256 + bytes[at + 2 + i];
        header += size;
      }
      children.push({ tag, start: at, body: at + header, end: at + header + length });
      at += header + length;
    }
    return children;
  }

  function publicKeyInfo(der) {
    const [certificate] = derChildren(der, 0, der.length);
    const [tbs] = derChildren(der, certificate.body, certificate.end);
    const fields = derChildren(der, tbs.body, tbs.end);
    // version [0], serial, signature algorithm, issuer, validity, subject, key
    const spki = fields[fields[0].tag === 0xa0 ? 6 : 5];
    return der.subarray(spki.start, spki.end);
  }

  const EC_PUBLIC_KEY = "2a8648ce3d0201"; // 1.2.840.10045.2.1
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  // The OID of a SubjectPublicKeyInfo's algorithm, in hex.
  function keyAlgorithm(spki) {
    const [info] = derChildren(spki, 0, spki.length);
    const [algorithm] = derChildren(spki, info.body, info.end);
    const [oid] = derChildren(spki, algorithm.body, algorithm.end);
    return hex(spki.subarray(oid.body, oid.end));
  }
  const base64Bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const bytesBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

  async function signatureHolds(entry, alg, signed, signature) {
    try {
      const spki = publicKeyInfo(base64Bytes(entry.certificate));
      const isEc = keyAlgorithm(spki) === EC_PUBLIC_KEY;
      if (alg === ES256 && isEc && signature.length === 64) {
        const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
        return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, signed);
      }
      if (alg === PS256 && !isEc) {
        const key = await crypto.subtle.importKey("spki", spki, { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
        return await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, key, signature, signed);
      }
    } catch {
      return false;
    }
    return false;
  }

  // Every signer certificate with the key id is tried: 8 bytes of a hash may be shared.
  async function signer(cose, trust) {
    const kid = isBytes(cose.kid) ? bytesBase64(cose.kid) : null;
    const candidates = trust.certificates.filter((entry) => entry.kid === kid);
    if (!candidates.length) throw new Refused("kid_unknown");
    if (cose.alg !== ES256 && cose.alg !== PS256) throw new Refused("algorithm_unsupported");
    const signed = toBeSigned(cose.protectedBytes, cose.payload);
    for (const entry of candidates) {
      if (await signatureHolds(entry, cose.alg, signed, cose.signature)) return entry;
    }
    throw new Refused("signature_invalid");
  }

  // The checks after the signature (all run; the first failure is the reason)

  const TYPES = ["v", "t", "r"];
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

  function shapeHolds(payload) {
    const kinds = TYPES.filter((kind) => kind in payload);
    if (typeof payload.ver !== "string" || typeof payload.dob !== "string") return false;
    if (!isObject(payload.nam) || typeof payload.nam.fnt !== "string") return false;
    if (kinds.length !== 1) return false;
    const entries = payload[kinds[0]];
    return Array.isArray(entries) && entries.length > 0 && entries.every((e) => isObject(e) && typeof e.ci === "string");
  }

  function valueSetsHold(payload) {
    return (payload.v || []).every((entry) =>
      Object.entries(DATA.valueSets).every(([field, codes]) => !(field in entry) || entry[field] in codes)
    );
  }

  async function uciHash(uvci) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(uvci)));
    return bytesBase64(digest.subarray(0, 16));
  }

  async function laterFailures(entry, cwt, at, revoked) {
    const failures = [];
    const seconds = at.getTime() / 1000;
    if (!(new Date(entry.not_before) <= at && at <= new Date(entry.not_after))) failures.push("signer_not_valid");
    if (seconds < cwt.issuedAt) failures.push("cwt_not_yet_valid");
    else if (seconds > cwt.expiresAt) failures.push("cwt_expired");
    if (!shapeHolds(cwt.payload)) failures.push("schema_invalid");
    else if (!valueSetsHold(cwt.payload)) failures.push("value_set_invalid");
    const entries = TYPES.flatMap((kind) => (Array.isArray(cwt.payload[kind]) ? cwt.payload[kind] : []));
    for (const e of entries) {
      if (isObject(e) && typeof e.ci === "string" && revoked.has(await uciHash(e.ci))) {
        failures.push("revoked");
        break;
      }
    }
    return failures;
  }

  async function verify(text, lists, at = new Date()) {
    let cwt;
    let cose;
    try {
      if (text.length > MAX_TEXT) throw new Refused("too_large");
      if (!text.startsWith("HC1:")) throw new Refused("prefix_invalid");
      cose = coseParse(await inflate(base45Decode(text.slice(4))));
      cwt = cwtParse(cose.payload);
    } catch (error) {
      return { decoded: false, valid: false, reason: error instanceof Refused ? error.code : "cose_invalid" };
    }
    try {
      const entry = await signer(cose, lists.trust);
      const failures = await laterFailures(entry, cwt, at, lists.revoked);
      return { decoded: true, valid: !failures.length, reason: failures[0] || "valid", payload: cwt.payload };
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { decoded: true, valid: false, reason: error.code, payload: cwt.payload };
    }
  }

  // The lists: fetched when online, kept in localStorage for when not

  const STORE = "sosuckhoe-verifier-lists";

  async function fetchLists() {
    const [trust, revocations] = await Promise.all(
      [DATA.trustList, DATA.revocations].map(async (url) => {
        const response = await fetch(url, { cache: "no-cache" });
        if (!response.ok) throw new Error(url);
        return response.json();
      })
    );
    const kept = { trust, revocations, fetched: new Date().toISOString() };
    localStorage.setItem(STORE, JSON.stringify(kept));
    return kept;
  }

  async function loadLists() {
    let kept;
    try {
      kept = await fetchLists();
    } catch {
      kept = JSON.parse(localStorage.getItem(STORE) || "null");
    }
    const status = document.getElementById("lists");
    if (!kept) {
      status.textContent = DATA.messages.listsMissing;
      return null;
    }
    const time = new Date(kept.fetched).toLocaleString(document.documentElement.lang);
    status.textContent = DATA.messages.listsFrom.replace("%(time)s", time);
    const hashes = kept.revocations.batches.flatMap((batch) => batch.entries.map((e) => e.hash));
    return { trust: kept.trust, revoked: new Set(hashes) };
  }

  // Showing the verdict

  const show = (id, text) => {
    document.getElementById(id).textContent = text || "";
  };

  function showVerdict(verdict) {
    const box = document.getElementById("verdict");
    box.hidden = false;
    box.className = `verdict ${verdict.valid ? "valid" : "invalid"}`;
    box.dataset.reason = verdict.reason || "no_code";
    show("reason", DATA.reasons[verdict.reason]);
    const payload = verdict.payload;
    const holder = document.getElementById("holder");
    holder.hidden = !(verdict.decoded && isObject(payload));
    if (holder.hidden) return;
    const nam = isObject(payload.nam) ? payload.nam : {};
    show("name", [nam.fn, nam.gn].filter(Boolean).join(" ") || [nam.fnt, nam.gnt].filter(Boolean).join(" "));
    show("dob", payload.dob);
    const dose = Array.isArray(payload.v) && isObject(payload.v[0]) ? payload.v[0] : {};
    show("vaccine", DATA.valueSets.mp[dose.mp] || dose.mp);
    show("dose", DATA.messages.dose.replace("%(n)s", dose.dn).replace("%(of)s", dose.sd));
    show("date", dose.dt);
    show("issuer", [dose.co, dose.is].filter(Boolean).join(" · "));
    show("uvci", dose.ci);
  }

  // Reading the QR code: the browser's BarcodeDetector where it has one, jsQR otherwise

  const canvas = document.createElement("canvas");

  async function readCode(source, width, height) {
    if ("BarcodeDetector" in window) {
      try {
        const found = await new BarcodeDetector({ formats: ["qr_code"] }).detect(source);
        if (found.length) return found[0].rawValue;
      } catch {
        // Declared but unsupported on this platform: jsQR reads it below.
      }
    }
    const scale = Math.min(1, 1600 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(image.data, image.width, image.height);
    return code ? code.data : null;
  }

  async function start() {
    const lists = await loadLists();
    document.body.dataset.verifier = lists ? "ready" : "no-lists";
    const judge = async (text) => {
      if (lists) showVerdict(await verify(text.trim(), lists));
    };

    document.querySelector("#paste button").addEventListener("click", () => {
      judge(document.getElementById("text").value);
    });

    document.getElementById("picture").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (!file) return;
      const bitmap = await createImageBitmap(file);
      const text = await readCode(bitmap, bitmap.width, bitmap.height);
      if (text === null) {
        showVerdict({ decoded: false, valid: false, reason: null });
        show("reason", DATA.messages.noCode);
        return;
      }
      document.getElementById("text").value = text;
      judge(text);
    });

    document.getElementById("scan").addEventListener("click", async () => {
      const video = document.getElementById("camera");
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch {
        show("lists", DATA.messages.noCamera);
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const look = async () => {
        const text = video.videoWidth ? await readCode(video, video.videoWidth, video.videoHeight) : null;
        if (text === null) {
          requestAnimationFrame(look);
          return;
        }
        stream.getTracks().forEach((track) => track.stop());
        video.hidden = true;
        document.getElementById("text").value = text;
        judge(text);
      };
      look();
    });

    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(DATA.worker).catch(() => {});
    }
  }

  start();
})();
