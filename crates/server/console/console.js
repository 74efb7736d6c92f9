// strata's web console: one page, hash-routed views over strata's own APIs (DynamoDB JSON,
// S3 REST, IAM/STS Query, and `/_strata/…`), every request SigV4-signed in the browser with
// the chosen account's key (sigv4.js). Data is only ever put into the page as text.

import { signedFetch, uriEncode } from "./sigv4.js";

// ---- state -------------------------------------------------------------------------------

const state = {
  accounts: [], // [{ id, alias, credentials }]
  account: null,
  region: "us-east-1",
  timers: [], // the current view's refreshes
  generation: 0, // counts routes: a view's context is stale once another has started
};

function credentials() {
  return state.account.credentials;
}

// ---- DOM ---------------------------------------------------------------------------------

// h("tag.class", { attr: value, onclick: fn }, ...children): children are nodes or text.
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const main = () => document.getElementById("main");

function show(...nodes) {
  main().replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
}

function errorBox(error) {
  return h("p.error", { role: "alert" }, String(error.message || error));
}

// Shows `error` at the end of `form`, in place of the one shown before; none clears it.
function formError(form, error) {
  form.querySelector(":scope > .error")?.remove();
  if (error) form.append(errorBox(error));
}

function stopTimers() {
  state.timers.forEach(clearInterval);
  state.timers = [];
}

// What a view renders with: its show() and every() do nothing once another route has started
// (a slow view must not draw over, or keep refreshing under, the one the user went on to).
function viewContext(generation) {
  const current = () => generation === state.generation;
  return {
    current,
    show: (...nodes) => {
      if (current()) show(...nodes);
    },
    // Runs `fn` every `ms` until the route changes, never two runs at once.
    every: (ms, fn) => {
      if (!current()) return undefined;
      let busy = false;
      const id = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          await fn();
          refreshProblem(null);
        } catch (e) {
          // Said on the page, and tried again at the next tick.
          if (current()) refreshProblem(e);
        } finally {
          busy = false;
        }
      }, ms);
      state.timers.push(id);
      return id;
    },
  };
}

// The last live refresh's failure, above the view (gone once one succeeds).
function refreshProblem(error) {
  let line = document.getElementById("refresh-error");
  if (!error) {
    line?.remove();
    return;
  }
  if (!line) {
    line = h("p.error", { id: "refresh-error", role: "status" });
    main().prepend(line);
  }
  line.textContent = `Live refresh failed (retrying): ${error.message || error}`;
}

function bytes(n) {
  if (n === undefined || n === null) return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

function when(seconds) {
  if (seconds === undefined || seconds === null) return "";
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

// ---- APIs --------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

async function dynamodb(operation, body) {
  const response = await signedFetch(credentials(), {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
    body: JSON.stringify(body || {}),
    service: "dynamodb",
    region: state.region,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError((data.__type || "Error").split("#").pop(), data.message || data.Message || response.statusText, response.status);
  }
  return data;
}

function xml(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}

function texts(node, name) {
  return Array.from(node.getElementsByTagName(name), (n) => n.textContent);
}

function text(node, name) {
  return node.getElementsByTagName(name)[0]?.textContent ?? "";
}

function xmlError(doc, response) {
  return new ApiError(text(doc, "Code") || response.status, text(doc, "Message") || response.statusText, response.status);
}

// IAM and STS over the Query protocol.
async function query(service, action, params) {
  const version = service === "iam" ? "2010-05-08" : "2011-06-15";
  const form = new URLSearchParams({ Action: action, Version: version, ...(params || {}) });
  const response = await signedFetch(credentials(), {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: form.toString(),
    service,
    region: "us-east-1",
  });
  const doc = xml(await response.text());
  if (!response.ok) throw xmlError(doc, response);
  return doc;
}

// S3 over REST, path-style. `key` is encoded here.
async function s3(method, bucket, key, queryParams, body, headers) {
  const path = "/" + (bucket ? uriEncode(bucket) : "") + (key !== undefined && key !== null ? "/" + uriEncode(key, true) : "");
  const response = await signedFetch(credentials(), {
    method,
    path,
    query: queryParams || [],
    headers: headers || {},
    body: body ?? "",
    unsignedPayload: body instanceof ArrayBuffer,
    service: "s3",
    region: state.region,
  });
  if (!response.ok) {
    const doc = xml(await response.text());
    throw xmlError(doc, response);
  }
  return response;
}

async function s3Xml(bucket, queryParams) {
  return xml(await (await s3("GET", bucket, null, queryParams)).text());
}

// strata's own endpoints (signed too: off loopback they need it).
async function admin(method, path, body, queryParams) {
  const response = await signedFetch(credentials(), {
    method,
    path,
    query: queryParams || [],
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : "",
    service: "strata",
    region: state.region,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error || response.statusText, response.status);
  return data;
}

// ---- accounts and the clock --------------------------------------------------------------

async function loadAccounts() {
  let saved = sessionStorage.getItem("strata-key");
  const response = await fetch("/_strata/accounts");
  if (response.ok) {
    const data = await response.json();
    state.region = data.region || state.region;
    state.accounts = data.accounts
      .filter((a) => a.access_key_id)
      .map((a) => ({
        id: a.id,
        alias: a.alias,
        credentials: { accessKeyId: a.access_key_id, secretAccessKey: a.secret_access_key },
      }));
  }
  // Otherwise sign in with a key: the one this tab kept, or one asked for until STS takes it
  // (a key is kept only once it worked, so a mistyped one is asked for again).
  let problem = null;
  while (!state.accounts.length) {
    const key = saved ? JSON.parse(saved) : await askForKey(problem);
    saved = null;
    const account = { id: "?", alias: key.accessKeyId, credentials: key };
    state.region = key.region || state.region;
    state.account = account;
    try {
      const doc = await query("sts", "GetCallerIdentity");
      account.id = text(doc, "Account");
      account.alias = text(doc, "Arn");
      sessionStorage.setItem("strata-key", JSON.stringify(key));
      state.accounts = [account];
    } catch (e) {
      sessionStorage.removeItem("strata-key");
      problem = e;
    }
  }
  const chosen = sessionStorage.getItem("strata-account");
  state.account = state.accounts.find((a) => a.id === chosen) || state.accounts[0];
  const select = document.getElementById("account");
  select.replaceChildren(
    ...state.accounts.map((a) => h("option", { value: a.id, selected: a === state.account }, a.alias ? `${a.alias} (${a.id})` : a.id)),
  );
  select.onchange = () => {
    state.account = state.accounts.find((a) => a.id === select.value);
    sessionStorage.setItem("strata-account", state.account.id);
    route();
  };
}

// Shows the sign-in dialog (with why the last key failed, if one did); resolves to the key.
function askForKey(problem) {
  const dialog = document.getElementById("login");
  const form = document.getElementById("login-form");
  formError(form, problem ? `That key was refused: ${problem.message}` : null);
  return new Promise((resolve) => {
    let done = false;
    form.onsubmit = () => {
      done = true;
      const data = Object.fromEntries(new FormData(form));
      if (!data.sessionToken) delete data.sessionToken;
      resolve(data);
    };
    // Nothing works without a key: closed otherwise (Escape), it opens again.
    dialog.onclose = () => {
      if (!done) dialog.showModal();
    };
    dialog.showModal();
  });
}

async function refreshClock() {
  try {
    const clock = await admin("GET", "/_strata/clock");
    const offset = clock.offset_seconds ? ` (+${clock.offset_seconds}s)` : "";
    document.getElementById("clock").textContent = `${clock.now}${offset}`;
  } catch (e) {
    document.getElementById("clock").textContent = `clock: ${e.message}`;
  }
}

function setUpClock() {
  const form = document.getElementById("advance");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const seconds = Number(form.elements.seconds.value);
    if (!(seconds >= 0)) return;
    try {
      await admin("POST", "/_strata/clock", { advance_seconds: seconds });
      form.reset();
      refreshClock();
    } catch (e) {
      document.getElementById("clock").textContent = `clock not moved: ${e.message}`;
    }
  };
  refreshClock();
  setInterval(refreshClock, 5000);
}

// ---- DynamoDB ----------------------------------------------------------------------------

async function tablesView(view) {
  const body = h("tbody");
  const list = h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Table"), h("th", {}, "Status"), h("th", {}, "Key"), h("th", {}, "Indexes"), h("th", { class: "num" }, "Items"), h("th", { class: "num" }, "Size"))), body);
  const count = h("span.muted");
  view.show(h("h1", {}, "DynamoDB tables ", count), createTableForm(), list);
  // Names first (one page after another), details as they come: a large account renders at once.
  const names = [];
  let start;
  do {
    const page = await dynamodb("ListTables", start ? { ExclusiveStartTableName: start } : {});
    for (const name of page.TableNames) {
      names.push(name);
      const row = h("tr", { dataset: { table: name } }, h("td", {}, h("a", { href: `#/dynamodb/${encodeURIComponent(name)}` }, name)), h("td.muted", {}, "…"), h("td"), h("td"), h("td.num"), h("td.num"));
      body.append(row);
    }
    start = page.LastEvaluatedTableName;
  } while (start);
  count.textContent = `(${names.length})`;
  if (!names.length) body.append(h("tr", {}, h("td.muted", { colspan: 6 }, "No tables in this account and region.")));
  // Describe what is on screen first, a few at a time.
  const rows = Array.from(body.querySelectorAll("tr[data-table]"));
  const describe = async (row) => {
    const table = (await dynamodb("DescribeTable", { TableName: row.dataset.table })).Table;
    const cells = row.children;
    cells[1].textContent = table.TableStatus;
    cells[1].className = "";
    cells[2].textContent = table.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ");
    cells[3].textContent = [...(table.GlobalSecondaryIndexes || []), ...(table.LocalSecondaryIndexes || [])].map((i) => i.IndexName).join(", ");
    cells[4].textContent = table.ItemCount;
    cells[5].textContent = bytes(table.TableSizeBytes);
  };
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        describe(entry.target).catch((e) => (entry.target.children[1].textContent = e.message));
      }
    }
  });
  rows.forEach((row) => observer.observe(row));
}

function createTableForm() {
  const form = h(
    "form.inline",
    { id: "create-table" },
    h("label", {}, "New table", h("input", { name: "name", required: true, placeholder: "name" })),
    h("label", {}, "Partition key", h("input", { name: "pk", required: true, value: "pk" })),
    h("label", {}, "Sort key (optional)", h("input", { name: "sk" })),
    h("label", {}, h("span", {}, "PITR"), h("input", { name: "pitr", type: "checkbox", checked: true })),
    h("button", {}, "Create table"),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const f = form.elements;
    const keys = [{ AttributeName: f.pk.value, KeyType: "HASH" }];
    const attrs = [{ AttributeName: f.pk.value, AttributeType: "S" }];
    if (f.sk.value) {
      keys.push({ AttributeName: f.sk.value, KeyType: "RANGE" });
      attrs.push({ AttributeName: f.sk.value, AttributeType: "S" });
    }
    try {
      await dynamodb("CreateTable", { TableName: f.name.value, KeySchema: keys, AttributeDefinitions: attrs, BillingMode: "PAY_PER_REQUEST" });
      if (f.pitr.checked) {
        await dynamodb("UpdateContinuousBackups", { TableName: f.name.value, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
      }
      location.hash = `#/dynamodb/${encodeURIComponent(f.name.value)}`;
    } catch (e) {
      formError(form, e);
    }
  };
  return form;
}

// A DynamoDB item as plain JSON for reading (sets and binaries shown as their wire form).
function plain(value) {
  const [type, v] = Object.entries(value)[0];
  switch (type) {
    case "S": return v;
    case "N": return String(Number(v)) === v ? Number(v) : v; // digits a double would round stay as written
    case "BOOL": return v;
    case "NULL": return null;
    case "L": return v.map(plain);
    case "M": return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    default: return { [type]: v };
  }
}

async function tableView(view, name) {
  const table = (await dynamodb("DescribeTable", { TableName: name })).Table;
  const backups = (await dynamodb("DescribeContinuousBackups", { TableName: name })).ContinuousBackupsDescription;
  const pitr = backups.PointInTimeRecoveryDescription || {};
  const key = table.KeySchema;
  const info = h(
    "div.cards",
    {},
    h("div.card", {}, h("strong", {}, "Key"), h("div", {}, key.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", "))),
    h("div.card", {}, h("strong", {}, "Items"), h("div", { id: "item-count" }, `${table.ItemCount} (${bytes(table.TableSizeBytes)})`)),
    h("div.card", {}, h("strong", {}, "Status"), h("div", {}, table.TableStatus)),
    h("div.card", {}, h("strong", {}, "Stream"), h("div", {}, table.StreamSpecification?.StreamEnabled ? `${table.StreamSpecification.StreamViewType} ${table.LatestStreamArn || ""}` : "off")),
    h("div.card", {}, h("strong", {}, "Point-in-time recovery"), h("div", { id: "pitr-status" }, pitr.PointInTimeRecoveryStatus || "DISABLED", pitr.RecoveryPeriodInDays ? ` (${pitr.RecoveryPeriodInDays} days)` : "")),
  );
  const indexes = [...(table.GlobalSecondaryIndexes || []).map((i) => ["global", i]), ...(table.LocalSecondaryIndexes || []).map((i) => ["local", i])];
  view.show(
    h("h1", {}, "Table ", name),
    info,
    indexes.length ? h("h2", {}, "Indexes") : null,
    indexes.length
      ? h("table", {}, h("tr", {}, h("th", {}, "Index"), h("th", {}, "Kind"), h("th", {}, "Key"), h("th", {}, "Projection"), h("th", {}, "Status")),
          indexes.map(([kind, i]) => h("tr", {}, h("td", {}, i.IndexName), h("td", {}, kind), h("td", {}, i.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")), h("td", {}, i.Projection?.ProjectionType || ""), h("td", {}, i.IndexStatus || ""))))
      : null,
    pitrTimeline(table, pitr),
    itemsSection(table),
  );
}

// The restorable window on a timeline, with the export time chosen on it.
function pitrTimeline(table, pitr) {
  const section = h("section", { id: "pitr" }, h("h2", {}, "Restorable window and export"));
  if (pitr.PointInTimeRecoveryStatus !== "ENABLED") {
    const enable = h("button", { onclick: async () => {
      try {
        await dynamodb("UpdateContinuousBackups", { TableName: table.TableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
        route();
      } catch (e) {
        formError(section, e);
      }
    } }, "Enable point-in-time recovery");
    section.append(h("p.muted", {}, "Point-in-time recovery is off: there is nothing to export. "), enable);
    return section;
  }
  const earliest = Number(pitr.EarliestRestorableDateTime);
  const latest = Number(pitr.LatestRestorableDateTime);
  const bar = h("div.timeline", { id: "timeline", title: "Click to choose the export time" });
  const windowEl = h("div.window");
  windowEl.style.left = "0%";
  windowEl.style.width = "100%";
  const mark = h("div.mark");
  mark.style.left = "100%";
  bar.append(windowEl, mark);
  // Empty exports the table as it is now (no ExportTime): the restorable window ends five
  // minutes ago, so its latest point would leave out what was just written.
  const chosen = h("input", { name: "time", id: "export-time", placeholder: "now", size: 24 });
  bar.addEventListener("click", (event) => {
    const box = bar.getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    mark.style.left = `${fraction * 100}%`;
    // A whole second inside the window: never past its end.
    chosen.value = when(Math.max(earliest, Math.floor(earliest + fraction * (latest - earliest))));
  });
  const now = h("button", { type: "button", onclick: () => {
    chosen.value = "";
    mark.style.left = "100%";
  } }, "Now");
  const form = h(
    "form.inline",
    { id: "export-form" },
    h("label", {}, "Export as of (UTC; empty: now)", chosen),
    now,
    h("label", {}, "Bucket", h("input", { name: "bucket", required: true })),
    h("label", {}, "Bucket owner (account, optional)", h("input", { name: "owner", size: 14 })),
    h("label", {}, "Prefix (optional)", h("input", { name: "prefix" })),
    h("label", {}, "Format", h("select", { name: "format" }, h("option", {}, "DYNAMODB_JSON"), h("option", {}, "ION"))),
    h("button", {}, "Export"),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const f = form.elements;
    const request = {
      TableArn: table.TableArn,
      S3Bucket: f.bucket.value,
      ExportFormat: f.format.value,
    };
    const time = f.time.value.trim();
    if (time) {
      const ms = Date.parse(time);
      if (Number.isNaN(ms)) {
        formError(form, `Not a time: ${time} (e.g. ${when(latest)})`);
        return;
      }
      request.ExportTime = ms / 1000;
    }
    if (f.owner.value) request.S3BucketOwner = f.owner.value;
    if (f.prefix.value) request.S3Prefix = f.prefix.value;
    try {
      const started = await dynamodb("ExportTableToPointInTime", request);
      location.hash = `#/exports/${encodeURIComponent(started.ExportDescription.ExportArn)}`;
    } catch (e) {
      formError(form, e);
    }
  };
  section.append(bar, h("div.timeline-labels", {}, h("span", {}, when(earliest)), h("span", {}, when(latest))), form);
  return section;
}

function itemsSection(table) {
  const hash = table.KeySchema.find((k) => k.KeyType === "HASH").AttributeName;
  const body = h("div", { id: "items" });
  const more = h("button", { hidden: true }, "Next page");
  let next = null;
  let request = null;
  const load = async (fresh) => {
    if (fresh) {
      body.replaceChildren();
      next = null;
    }
    try {
      const page = await dynamodb(request.op, { ...request.body, Limit: 25, ...(next ? { ExclusiveStartKey: next } : {}) });
      for (const item of page.Items) body.append(itemRow(table, item, () => load(true)));
      if (!page.Items.length && fresh) body.append(h("p.muted", {}, "No items."));
      next = page.LastEvaluatedKey || null;
      more.hidden = !next;
    } catch (e) {
      body.append(errorBox(e));
    }
  };
  const queryForm = h(
    "form.inline",
    { id: "query-form" },
    h("label", {}, `${hash} = (empty: scan)`, h("input", { name: "value" })),
    h("button", {}, "Query"),
  );
  queryForm.onsubmit = (event) => {
    event.preventDefault();
    const value = queryForm.elements.value.value;
    const type = table.AttributeDefinitions.find((a) => a.AttributeName === hash).AttributeType;
    request = value
      ? { op: "Query", body: { TableName: table.TableName, KeyConditionExpression: "#k = :v", ExpressionAttributeNames: { "#k": hash }, ExpressionAttributeValues: { ":v": { [type]: value } } } }
      : { op: "Scan", body: { TableName: table.TableName } };
    load(true);
  };
  more.onclick = () => load(false);
  const editor = h("textarea", { id: "item-editor", spellcheck: "false", placeholder: '{"pk": {"S": "id-1"}, "n": {"N": "1"}}' });
  const saveForm = h("form", { id: "put-item" }, h("h2", {}, "Put an item (DynamoDB JSON)"), editor, h("button", {}, "Put item"));
  saveForm.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await dynamodb("PutItem", { TableName: table.TableName, Item: JSON.parse(editor.value) });
      editor.value = "";
      formError(saveForm, null);
      load(true);
    } catch (e) {
      formError(saveForm, e);
    }
  };
  request = { op: "Scan", body: { TableName: table.TableName } };
  load(true);
  return h("section", {}, h("h2", {}, "Items"), queryForm, body, more, saveForm);
}

function itemRow(table, item, reload) {
  const key = Object.fromEntries(table.KeySchema.map((k) => [k.AttributeName, item[k.AttributeName]]));
  const edit = h("button", { onclick: () => {
    const editor = document.getElementById("item-editor");
    editor.value = JSON.stringify(item, null, 2);
    editor.focus();
  } }, "Edit");
  const remove = h("button", { onclick: async () => {
    try {
      await dynamodb("DeleteItem", { TableName: table.TableName, Key: key });
      reload();
    } catch (e) {
      formError(card, e);
    }
  } }, "Delete");
  const card = h("div.card", { dataset: { item: JSON.stringify(plain({ M: key })) } }, h("pre", {}, JSON.stringify(plain({ M: item }), null, 2)), edit, " ", remove);
  return card;
}

// ---- exports and imports -----------------------------------------------------------------

async function exportsView(view) {
  const exportsBody = h("tbody");
  const importsBody = h("tbody");
  view.show(
    h("h1", {}, "Exports and imports"),
    h("h2", {}, "Exports"),
    h("table", { id: "exports" }, h("tr", {}, h("th", {}, "Export"), h("th", {}, "Table"), h("th", {}, "Status"), h("th", {}, "As of"), h("th", { class: "num" }, "Items"), h("th", { class: "num" }, "Bytes"), h("th", {}, "Files")), exportsBody),
    h("h2", {}, "Imports"),
    h("table", { id: "imports" }, h("tr", {}, h("th", {}, "Import"), h("th", {}, "Table"), h("th", {}, "Status"), h("th", { class: "num" }, "Items imported"), h("th", { class: "num" }, "Bytes read"), h("th", {}, "Failure")), importsBody),
  );
  const refresh = async () => {
    const exports = await allPages("ListExports", "ExportSummaries");
    const described = await Promise.all(exports.map((e) => dynamodb("DescribeExport", { ExportArn: e.ExportArn }).then((d) => d.ExportDescription)));
    const running = await Promise.all(described.map((d) => (d.ExportStatus === "IN_PROGRESS" ? soFar(d.ExportArn) : "")));
    exportsBody.replaceChildren(...described.map((d, i) => exportRow(d, running[i])));
    const imports = await allPages("ListImports", "ImportSummaryList");
    const details = await Promise.all(imports.map((i) => dynamodb("DescribeImport", { ImportArn: i.ImportArn }).then((d) => d.ImportTableDescription)));
    const importing = await Promise.all(details.map((d) => (d.ImportStatus === "IN_PROGRESS" ? soFar(d.ImportArn) : "")));
    importsBody.replaceChildren(...details.map((d, i) => h("tr", {}, h("td", {}, d.ImportArn.split("/").pop()), h("td", {}, d.TableArn.split("/").pop()), h("td", {}, status(d.ImportStatus), importing[i] ? h("div.muted", {}, importing[i]) : null), h("td.num", {}, d.ImportedItemCount), h("td.num", {}, bytes(d.ProcessedSizeBytes)), h("td.error", {}, [d.FailureCode, d.FailureMessage].filter(Boolean).join(": ")))));
  };
  await refresh();
  view.every(2000, refresh);
}

// Every page of a DynamoDB list call (`NextToken`).
async function allPages(operation, member) {
  const all = [];
  let token;
  do {
    const page = await dynamodb(operation, token ? { NextToken: token } : {});
    all.push(...(page[member] || []));
    token = page.NextToken;
  } while (token);
  return all;
}

// Every page of an IAM list call (`Marker`, `IsTruncated`), as the list's members.
async function allMembers(action, list) {
  const all = [];
  let marker;
  do {
    const doc = await query("iam", action, marker ? { Marker: marker } : {});
    all.push(...doc.querySelectorAll(`${list} > member`));
    marker = text(doc, "IsTruncated") === "true" ? text(doc, "Marker") : null;
  } while (marker);
  return all;
}

function status(value) {
  const cls = /COMPLETED|ACTIVE|ENABLED/.test(value) ? "good" : /FAILED/.test(value) ? "bad" : "muted";
  return h(`span.${cls}`, {}, value);
}

function exportFolder(d) {
  const prefix = d.S3Prefix ? `${d.S3Prefix.replace(/\/$/, "")}/` : "";
  return `${prefix}AWSDynamoDB/${d.ExportArn.split("/").pop()}/`;
}

// A running job's work so far (strata's own count: DescribeExport/DescribeImport report theirs
// at the end, as on AWS), as text, or "" when there is none.
async function soFar(arn) {
  const { progress } = await admin("GET", "/_strata/progress", null, [["arn", arn]]);
  return progress ? `so far: ${progress.items} items, ${bytes(progress.bytes)}, ${progress.files} files` : "";
}

function exportRow(d, running) {
  const folder = exportFolder(d);
  return h(
    "tr",
    { dataset: { export: d.ExportArn } },
    h("td", {}, h("a", { href: `#/exports/${encodeURIComponent(d.ExportArn)}` }, d.ExportArn.split("/").pop())),
    h("td", {}, d.TableArn.split("/").pop()),
    h("td", {}, status(d.ExportStatus), running ? h("div.muted.progress-text", {}, running) : null, d.FailureCode ? h("div.error", {}, `${d.FailureCode}: ${d.FailureMessage || ""}`) : null),
    h("td", {}, when(d.ExportTime)),
    h("td.num", {}, d.ItemCount ?? ""),
    h("td.num", {}, bytes(d.BilledSizeBytes)),
    h("td", {}, h("a", { href: `#/s3/${encodeURIComponent(d.S3Bucket)}/${encodeURIComponent(folder)}` }, `s3://${d.S3Bucket}/${folder}`)),
  );
}

async function exportView(view, arn) {
  const box = h("div", { id: "export" });
  view.show(h("h1", {}, "Export ", arn.split("/").pop()), box);
  const refresh = async () => {
    const d = (await dynamodb("DescribeExport", { ExportArn: arn })).ExportDescription;
    const folder = exportFolder(d);
    const running = d.ExportStatus === "IN_PROGRESS" ? await soFar(arn) : "";
    const rows = [
      ["Status", status(d.ExportStatus), running ? h("span.muted", { id: "export-progress" }, ` ${running}`) : null],
      ["Table", d.TableArn],
      ["As of", when(d.ExportTime)],
      ["Started", when(d.StartTime)],
      ["Ended", when(d.EndTime)],
      ["Items", d.ItemCount ?? ""],
      ["Bytes", bytes(d.BilledSizeBytes)],
      ["Bucket (owner)", `${d.S3Bucket} (${d.S3BucketOwner || "the table's account"})`],
      ["Manifest", d.ExportManifest || ""],
      ["Failure", d.FailureCode ? `${d.FailureCode}: ${d.FailureMessage || ""}` : ""],
    ];
    const files = h("ul", { id: "export-files" });
    const folderLink = h("p", {}, "Folder: ", h("a", { id: "export-folder", href: `#/s3/${encodeURIComponent(d.S3Bucket)}/${encodeURIComponent(folder)}` }, `s3://${d.S3Bucket}/${folder}`));
    if (d.ExportStatus === "COMPLETED") {
      try {
        const doc = await s3Xml(d.S3Bucket, [["list-type", "2"], ["prefix", folder]]);
        for (const contents of doc.getElementsByTagName("Contents")) {
          const key = text(contents, "Key");
          files.append(h("li", {}, h("a", { href: `#/s3/${encodeURIComponent(d.S3Bucket)}/${encodeURIComponent(key.slice(0, key.lastIndexOf("/") + 1))}` }, key), ` ${bytes(text(contents, "Size"))}`));
        }
      } catch (e) {
        files.append(h("li.muted", {}, `The files are in another account's bucket (${e.code}): switch to that account to browse them.`));
      }
    }
    box.replaceChildren(
      h("table", {}, rows.map(([k, ...v]) => h("tr", {}, h("th", {}, k), h("td", {}, ...v)))),
      h("h2", {}, "Files"),
      folderLink,
      d.ExportStatus === "COMPLETED" ? files : h("p.muted", {}, "Listed once the export completes."),
    );
    return d.ExportStatus;
  };
  // Live until it ends: then the page stays as it is (no flicker under the user's clicks).
  if ((await refresh()) === "IN_PROGRESS") {
    const id = view.every(1000, () =>
      refresh()
        .then((status) => status !== "IN_PROGRESS" && clearInterval(id)),
    );
  }
}

// ---- S3 ----------------------------------------------------------------------------------

async function bucketsView(view) {
  const doc = await s3Xml(null, []);
  const owner = text(doc, "ID");
  const buckets = Array.from(doc.getElementsByTagName("Bucket"), (b) => ({ name: text(b, "Name"), created: text(b, "CreationDate") }));
  const form = h("form.inline", { id: "create-bucket" }, h("label", {}, "New bucket", h("input", { name: "name", required: true })), h("button", {}, "Create bucket"));
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await s3("PUT", form.elements.name.value, null, []);
      route();
    } catch (e) {
      formError(form, e);
    }
  };
  view.show(
    h("h1", {}, "S3 buckets"),
    h("p.muted", {}, `Owner: ${owner}`),
    form,
    h("table", { id: "buckets" }, h("tr", {}, h("th", {}, "Bucket"), h("th", {}, "Created")), buckets.map((b) => h("tr", {}, h("td", {}, h("a", { href: `#/s3/${encodeURIComponent(b.name)}/` }, b.name)), h("td", {}, b.created)))),
    buckets.length ? null : h("p.muted", {}, "No buckets in this account."),
  );
}

// A bucket setting's document, or why there is none.
// `summary`, if given, turns the XML document into what is shown.
async function setting(bucket, sub, summary) {
  try {
    const body = await (await s3("GET", bucket, null, [[sub, ""]])).text();
    return summary ? summary(xml(body)) : body;
  } catch (e) {
    return e.code === 403 || e.status === 403 ? `(not readable: ${e.message})` : `(none: ${e.code})`;
  }
}

async function bucketView(view, bucket, prefix) {
  const [policy, ownership, encryption] = await Promise.all([
    setting(bucket, "policy"),
    setting(bucket, "ownershipControls", (doc) => texts(doc, "ObjectOwnership").join(", ")),
    setting(bucket, "encryption", (doc) =>
      Array.from(doc.getElementsByTagName("Rule"), (rule) =>
        [text(rule, "SSEAlgorithm"), text(rule, "KMSMasterKeyID"), text(rule, "BucketKeyEnabled") === "true" ? "bucket key" : ""].filter(Boolean).join(" "),
      ).join("\n"),
    ),
  ]);
  // One page of the folder (1,000 keys); "More" appends the next.
  const list = (token) => s3Xml(bucket, [["list-type", "2"], ["delimiter", "/"], ["prefix", prefix], ...(token ? [["continuation-token", token]] : [])]);
  const rows = (doc) => [
    texts(doc, "Prefix")
      .filter((p) => p !== prefix && p.startsWith(prefix))
      .map((f) => h("tr", {}, h("td", {}, h("a", { href: `#/s3/${encodeURIComponent(bucket)}/${encodeURIComponent(f)}` }, f.slice(prefix.length))), h("td"), h("td"), h("td"))),
    Array.from(doc.getElementsByTagName("Contents"), (c) => {
      const key = text(c, "Key");
      return h("tr", {}, h("td", {}, key.slice(prefix.length)), h("td.num", {}, bytes(text(c, "Size"))), h("td", {}, text(c, "LastModified")), h("td", {}, h("button", { onclick: (event) => download(bucket, key).catch((e) => formError(event.target.parentElement, e)) }, "Download")));
    }),
  ];
  const doc = await list(null);
  const more = h("button", { hidden: true }, "More");
  let token = null;
  const paged = (page) => {
    token = text(page, "IsTruncated") === "true" ? text(page, "NextContinuationToken") : null;
    more.hidden = !token;
  };
  paged(doc);
  const up = prefix ? prefix.slice(0, prefix.slice(0, -1).lastIndexOf("/") + 1) : null;
  const upload = h("form.inline", { id: "upload" }, h("label", {}, "Upload to this folder", h("input", { type: "file", name: "file", required: true })), h("button", {}, "Upload"));
  upload.onsubmit = async (event) => {
    event.preventDefault();
    const file = upload.elements.file.files[0];
    try {
      await s3("PUT", bucket, prefix + file.name, [], await file.arrayBuffer(), { "content-type": file.type || "application/octet-stream" });
      route();
    } catch (e) {
      formError(upload, e);
    }
  };
  const pretty = (t) => {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      return t;
    }
  };
  view.show(
    h("h1", {}, "Bucket ", bucket),
    h("div.cards", {}, h("div.card", {}, h("strong", {}, "Ownership controls"), h("pre", {}, ownership)), h("div.card", {}, h("strong", {}, "Default encryption"), h("pre", {}, encryption))),
    h("h2", {}, "Bucket policy"),
    h("pre", { id: "bucket-policy" }, pretty(policy)),
    h("h2", {}, "Objects in /", prefix),
    upload,
    h(
      "table",
      { id: "objects" },
      h("tr", {}, h("th", {}, "Key"), h("th", { class: "num" }, "Size"), h("th", {}, "Modified"), h("th")),
      up !== null ? h("tr", {}, h("td", {}, h("a", { href: `#/s3/${encodeURIComponent(bucket)}/${encodeURIComponent(up)}` }, "..")), h("td"), h("td"), h("td")) : null,
      rows(doc).flat(),
    ),
    more,
  );
  more.onclick = async () => {
    try {
      const page = await list(token);
      paged(page);
      document.getElementById("objects").append(...rows(page).flat());
    } catch (e) {
      formError(more.parentElement, e);
    }
  };
}

async function download(bucket, key) {
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    // The browser resolves these in a URL's path before sending it, so no page can fetch the
    // object under its own key.
    throw new Error(`A page cannot fetch ${key}: the browser rewrites '.' and '..' in a URL path. Use a client (aws s3 cp).`);
  }
  const response = await s3("GET", bucket, key, []);
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: key.split("/").pop() });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- IAM ---------------------------------------------------------------------------------

async function iamView(view) {
  // The list's own members only (a member's tags are members too).
  const [users, roles] = await Promise.all([allMembers("ListUsers", "Users"), allMembers("ListRoles", "Roles")]);
  const userRows = users.map((m) => h("tr", {}, h("td", {}, h("a", { href: `#/iam/user/${encodeURIComponent(text(m, "UserName"))}` }, text(m, "UserName"))), h("td", {}, text(m, "Arn"))));
  const roleRows = roles.map((m) => h("tr", {}, h("td", {}, h("a", { href: `#/iam/role/${encodeURIComponent(text(m, "RoleName"))}` }, text(m, "RoleName"))), h("td", {}, text(m, "Arn"))));
  view.show(
    h("h1", {}, "IAM"),
    h("h2", {}, "Users"),
    h("table", { id: "users" }, h("tr", {}, h("th", {}, "User"), h("th", {}, "ARN")), userRows),
    h("h2", {}, "Roles"),
    h("table", { id: "roles" }, h("tr", {}, h("th", {}, "Role"), h("th", {}, "ARN")), roleRows),
  );
}

function policyText(encoded) {
  try {
    return JSON.stringify(JSON.parse(decodeURIComponent(encoded)), null, 2);
  } catch {
    return decodeURIComponent(encoded);
  }
}

async function principalView(view, kind, name) {
  const Kind = kind === "role" ? "Role" : "User";
  const nameParam = { [`${Kind}Name`]: name };
  const sections = [h("h1", {}, `${Kind} ${name}`)];
  if (kind === "role") {
    const role = await query("iam", "GetRole", nameParam);
    sections.push(h("p", {}, text(role, "Arn")), h("h2", {}, "Trust policy"), h("pre", { id: "trust-policy" }, policyText(text(role, "AssumeRolePolicyDocument"))));
  } else {
    const keys = await query("iam", "ListAccessKeys", nameParam);
    sections.push(h("h2", {}, "Access keys"), h("ul", {}, Array.from(keys.getElementsByTagName("member"), (m) => h("li", {}, `${text(m, "AccessKeyId")} ${text(m, "Status")}`))));
  }
  const inline = texts(await query("iam", `List${Kind}Policies`, nameParam), "member");
  sections.push(h("h2", {}, "Inline policies"));
  for (const policyName of inline) {
    const doc = await query("iam", `Get${Kind}Policy`, { ...nameParam, PolicyName: policyName });
    sections.push(h("h3", {}, policyName), h("pre", {}, policyText(text(doc, "PolicyDocument"))));
  }
  const attached = await query("iam", `ListAttached${Kind}Policies`, nameParam);
  sections.push(h("h2", {}, "Attached managed policies"), h("ul", {}, texts(attached, "PolicyArn").map((a) => h("li", {}, a))));
  view.show(...sections);
}

// ---- why denied --------------------------------------------------------------------------

async function denialsView(view) {
  const list = h("div", { id: "denials" });
  const simulate = h(
    "form.inline",
    { id: "simulate" },
    h("label", {}, "Principal ARN", h("input", { name: "principal", required: true, size: 40 })),
    h("label", {}, "Action", h("input", { name: "action", required: true, placeholder: "s3:PutObject" })),
    h("label", {}, "Resource ARN", h("input", { name: "resource", required: true, size: 40 })),
    h("label", {}, "Resource account", h("input", { name: "account", size: 14 })),
    h("button", {}, "Simulate"),
  );
  const answer = h("pre", { id: "simulation" });
  simulate.onsubmit = async (event) => {
    event.preventDefault();
    const f = simulate.elements;
    try {
      const result = await admin("POST", "/_strata/simulate", {
        principal: f.principal.value,
        action: f.action.value,
        resource: f.resource.value,
        resource_account: f.account.value || null,
      });
      answer.textContent = JSON.stringify(result, null, 2);
    } catch (e) {
      answer.textContent = e.message;
    }
  };
  view.show(h("h1", {}, "Why was this denied?"), h("p.muted", {}, "The server's recent denials, newest first, each with the policy trace that decided it."), list, h("h2", {}, "Policy simulator"), simulate, answer);
  // Redrawn only when the list changed, keeping open the denials the user opened.
  let shown = null;
  const refresh = async () => {
    const { denials } = await admin("GET", "/_strata/denials", null, [["account", state.account.id]]);
    const identity = (d) => JSON.stringify([d.at, d.principal, d.action, d.resource, d.message]);
    const signature = JSON.stringify(denials.map(identity));
    if (signature === shown) return;
    shown = signature;
    if (!denials.length) {
      list.replaceChildren(h("p.muted", {}, "No denials yet."));
      return;
    }
    const open = new Set(Array.from(list.querySelectorAll("details[open]"), (d) => d.dataset.identity));
    list.replaceChildren(
      ...denials.map((d) =>
        h(
          "details.card",
          { dataset: { action: d.action, identity: identity(d) }, open: open.has(identity(d)) },
          h("summary", {}, `${d.at} ${d.action} on ${d.resource} by ${d.principal}`),
          h("p.error", {}, d.message),
          h("ul", {}, d.trace.length ? d.trace.map((t) => h("li", {}, t)) : h("li.muted", {}, "no statement matched")),
        ),
      ),
    );
  };
  await refresh();
  view.every(3000, refresh);
}

// ---- routing -----------------------------------------------------------------------------

async function route() {
  stopTimers();
  state.generation += 1;
  const view = viewContext(state.generation);
  const hash = location.hash || "#/dynamodb";
  const parts = hash.slice(2).split("/");
  const section = parts[0];
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === `#/${section}`);
  try {
    if (section === "dynamodb" && parts[1]) await tableView(view, decodeURIComponent(parts[1]));
    else if (section === "exports" && parts[1]) await exportView(view, decodeURIComponent(parts.slice(1).join("/")));
    else if (section === "exports") await exportsView(view);
    else if (section === "s3" && parts[1]) await bucketView(view, decodeURIComponent(parts[1]), decodeURIComponent(parts.slice(2).join("/")));
    else if (section === "s3") await bucketsView(view);
    else if (section === "iam" && parts[2]) await principalView(view, parts[1], decodeURIComponent(parts[2]));
    else if (section === "iam") await iamView(view);
    else if (section === "denials") await denialsView(view);
    else await tablesView(view);
  } catch (e) {
    view.show(errorBox(e));
  }
  if (view.current()) document.body.dataset.ready = hash;
}

async function start() {
  try {
    await loadAccounts();
  } catch (e) {
    show(errorBox(e));
    return;
  }
  setUpClock();
  window.addEventListener("hashchange", route);
  route();
}

start();
