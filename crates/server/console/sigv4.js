// AWS Signature Version 4 in the browser (WebCrypto), as the SDKs sign: the console calls
// strata's APIs exactly as any client does, with an account's access key.

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, text) {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const imported = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", imported, encoder.encode(text));
}

// RFC 3986 encoding, as SigV4 wants it (S3 keeps '/' in paths).
export function uriEncode(text, keepSlash) {
  return Array.from(encoder.encode(text), (b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) return c;
    return "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }).join("");
}

function canonicalQuery(params) {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v ?? "")])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

// Signs and sends a request; returns the fetch Response.
//   credentials: { accessKeyId, secretAccessKey, sessionToken? }
//   request: { method, path (already encoded), query: [[k, v]], headers: {}, body, service, region }
export async function signedFetch(credentials, request) {
  const method = request.method || "GET";
  const query = request.query || [];
  const body = request.body ?? "";
  const bodyBytes = typeof body === "string" ? encoder.encode(body) : new Uint8Array(body);
  const now = new Date();
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = request.unsignedPayload ? "UNSIGNED-PAYLOAD" : await sha256Hex(bodyBytes);
  const headers = { ...(request.headers || {}) };
  headers["x-amz-date"] = amzDate;
  headers["x-amz-content-sha256"] = payloadHash;
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const signed = { host: location.host };
  for (const [k, v] of Object.entries(headers)) signed[k.toLowerCase()] = String(v).trim();
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => `${n}:${signed[n]}\n`).join("");
  const signedHeaders = names.join(";");
  const canonical = [method, request.path, canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac("AWS4" + credentials.secretAccessKey, day);
  key = await hmac(key, request.region);
  key = await hmac(key, request.service);
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, toSign));
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  const qs = canonicalQuery(query);
  const url = request.path + (qs ? "?" + qs : "");
  return fetch(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : bodyBytes });
}
