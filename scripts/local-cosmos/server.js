#!/usr/bin/env node
"use strict";
// The local Cosmos DB server: @vercel/cosmosdb-server with stored procedures added. Same command line as its
// `cosmosdb-server` (--host H --port P [--no-ssl]), but connections are kept open between requests unless
// --close-connections is given; every request outside /sprocs goes to the package's own handler untouched. Stored procedures live with their collection (dropped with it) and run in Node's vm, one
// execution at a time, scoped to the request's partition key, all their writes applied or none (undo log), each
// bounded in time as on Cosmos DB (5 s unless --script-time-limit-ms says otherwise).
// The script API: see docs/data-model.md ("The local server").
// For tests only, --test-concurrent-writes adds POST /_test/concurrent-writes (outside the Cosmos DB paths), body
// { database, collection, partitionKey, beforeWriteOf, documents, deletes, timeUp }: before the next stored procedure
// execution on that partition writes the document `beforeWriteOf`, `documents` (of that partition) are upserted and the
// ids `deletes` deleted as another writer's, so the script's ETag-conditioned replace answers 412 (404 for a document
// deleted), its create 409; with timeUp, the execution's time is up there instead, so that write is not accepted
// (script-runtime.js). Answers 204. Without the flag (the test command's shared server, run-local.sh) the path is the
// package's, which has no such route.

const { randomUUID } = require("crypto");

const lib = "@vercel/cosmosdb-server/lib";
const server = require(lib);
const accountModule = require(`${lib}/account`);
const Item = require(`${lib}/account/item`).default;
const Items = require(`${lib}/account/items`).default;
const ResourceId = require(`${lib}/account/resource-id`).default;
const readItems = require(`${lib}/handler/_read-items`).default;
const readJson = require(`${lib}/json`).default;
const trueHeader = require(`${lib}/true-header`).default;
const { compile, execute, planConcurrentWrite, setTimeLimit } = require("./script-runtime");

// Cosmos DB answers an ORDER BY on one property with every document the query selects, those that lack the property
// below null and every value (first ascending, last descending; learn.microsoft.com/azure/cosmos-db/nosql/query/order-by:
// "Queries with ORDER BY return all items, including items where the property in the ORDER BY clause isn't defined").
// The package's query engine drops them (as Cosmos DB did before 2022). Its generated code looks the helper up at each
// call, so this wrapper takes its place: with one order, the package's sort is given it twice (the same order; no
// composite index is asked of a single property), which sorts alike and keeps the documents without it.
const queryHelpers = require(require.resolve("@zeit/cosmosdb-query/lib/helpers", { paths: [require.resolve("@vercel/cosmosdb-server")] }));
const packageSort = queryHelpers.sort;
queryHelpers.sort = (collection, getRid, compositeIndexes, ...orders) =>
  orders.length === 1 ? packageSort(collection, getRid, undefined, orders[0], orders[0]) : packageSort(collection, getRid, compositeIndexes, ...orders);
// A page's continuation token carries the ordered values of the next document as JSON, where undefined becomes null:
// a page ending before a document without the property then lost the rest of them (ascending) or served the same
// one for ever (descending). Undefined travels as a marker instead and is restored when the token comes back.
const UNDEFINED_MARK = { "$undefined": 1 };
const tokens = require(require.resolve("@zeit/cosmosdb-query/lib/continuation-token", { paths: [require.resolve("@vercel/cosmosdb-server")] }));
const packageEncode = tokens.encode;
const packageDecode = tokens.decode;
tokens.encode = t => packageEncode(Array.isArray(t.RTD) ? { ...t, RTD: t.RTD.map(v => (v === undefined ? UNDEFINED_MARK : v)) } : t);
tokens.decode = token => {
  const t = packageDecode(token);
  if (Array.isArray(t.RTD)) t.RTD = t.RTD.map(v => (v && typeof v === "object" && v.$undefined === 1 && Object.keys(v).length === 1 ? undefined : v));
  return t;
};

// The package compiles a query's FROM (and each JOIN) to `documents.reduce(($, c) => [...$, { c }], [])`, which copies
// the rows gathered so far at every document: a query cost the square of the documents it ran over, where Cosmos DB's
// cost grows with them. A query across partitions of a container of 12,000 documents held the server's one thread
// for 1.3 s, 24,000 for 48 s: the invoicing benchmark's poll of its runs, every 2 s, took the server from the app as
// the runs and their events filled the container. Each reduce owns its accumulator (a new array), so the compiled
// query appends to it instead, `($.push(row), $)`: the same rows in the same order, in time linear in the documents.
const transformer = require(require.resolve("@zeit/cosmosdb-query/lib/transformer", { paths: [require.resolve("@vercel/cosmosdb-server")] }));
const packageTransform = transformer.default;
transformer.default = sqlAst => appendingInPlace(packageTransform(sqlAst));
function appendingInPlace(node) {
  if (!node || typeof node !== "object") return node;
  for (const key of Object.keys(node)) node[key] = appendingInPlace(node[key]);
  const [first, ...rest] = node.type === "ArrayExpression" ? node.elements : [];
  if (first?.type !== "SpreadElement" || first.argument.type !== "Identifier" || first.argument.name !== "$") return node;
  const id = name => ({ type: "Identifier", name });
  const call = (object, method, args) => ({ type: "CallExpression", callee: { type: "MemberExpression", object, property: id(method) }, arguments: args });
  const push = element => call(id("$"), "push", [element]);
  // A JOIN's rows are spread one by one: push(...rows) would overflow the stack beyond some 120,000 of them.
  const appends = rest.map(e => (e.type === "SpreadElement" ? call(e.argument, "forEach", [{ type: "ArrowFunctionExpression", params: [id("row")], body: push(id("row")) }]) : push(e)));
  return { type: "SequenceExpression", expressions: [...appends, id("$")] };
}

// Cosmos DB runs a query sent with a partition key (x-ms-documentdb-partitionkey) on that partition only, whatever its
// WHERE says. The package refuses one whose WHERE does not name the partition key ("missing partition keys"), and
// runs every query over every document of the container, so a single-partition query cost as much as the container
// held: the daily invoicing sweep's 16 index buckets over its look-back of days, some 600 queries, each went through
// every account's documents and held the server's one thread for the jobs of a 2,000-account run. Such a query is
// now run on its partition's documents only (the request's partition travels with its handling, for the package's
// query to see), and no longer refused.
const { AsyncLocalStorage } = require("async_hooks");
const queryPartition = new AsyncLocalStorage();
// Each collection's documents by partition (rid -> item, as the package keeps them all), built at the first such query
// and kept as documents are written and deleted, so the query's cost does not grow with the other partitions either.
const partitions = new WeakMap();
function partitionIndex(items) {
  let index = partitions.get(items);
  if (!index) {
    index = new Map();
    for (const [rid, item] of items._data) indexItem(index, items._getPartition(item.read()), rid, item);
    partitions.set(items, index);
  }
  return index;
}
function indexItem(index, partition, rid, item) {
  let documents = index.get(partition);
  if (!documents) index.set(partition, (documents = new Map()));
  documents.set(rid, item);
}
const packageSet = Items.prototype._set;
Items.prototype._set = function setIndexed(data) {
  const result = packageSet.call(this, data);
  const index = partitions.get(this);
  if (index) indexItem(index, this._getPartition(data), data._rid, this._data.get(data._rid));
  return result;
};
const packageDelete = Items.prototype.delete;
Items.prototype.delete = function deleteIndexed(idOrRid, partition) {
  const data = this._item("/id", idOrRid, partition).read();
  packageDelete.call(this, idOrRid, partition);
  const documents = data && partitions.get(this)?.get(this._getPartition(data));
  if (documents) documents.delete(data._rid);
};
const packageQuery = Items.prototype.query;
Items.prototype.query = function queryOnePartition(params, options) {
  const scope = queryPartition.getStore();
  if (scope === undefined || this instanceof StoredProcedures) return packageQuery.call(this, params, options);
  const all = this._data;
  this._data = partitionIndex(this).get(scope.partition) ?? new Map();
  try {
    return packageQuery.call(this, params, options); // synchronous: no other request sees the partition's map
  } finally {
    this._data = all;
  }
};

/**
 * The partition a documents query is sent to (a string or number key), or a conditional patch's document is in (the
 * package checks the condition with a query, which the partition's map makes a look at that partition, not the
 * container); undefined for a cross-partition query or any other request.
 */
function scopedPartitionOf(req) {
  const header = req.headers["x-ms-documentdb-partitionkey"];
  if (!header) return undefined;
  const path = req.url.split("?", 1)[0];
  const isQuery = req.method === "POST" && /\/docs\/?$/.test(path)
    && (trueHeader(req, "x-ms-documentdb-isquery") || req.headers["content-type"] === "application/query+json");
  const isPatch = req.method === "PATCH" && /\/docs\/[^/]+$/.test(path);
  if (!isQuery && !isPatch) return undefined;
  try {
    const parsed = JSON.parse(header);
    const value = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : undefined;
    return typeof value === "string" || typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

// The package creates its account when the server starts listening and keeps it private; this subclass only
// remembers the instance, so the stored procedures see the same databases, collections and documents.
let account;
const PackageAccount = accountModule.default;
accountModule.default = class extends PackageAccount {
  constructor(host, port) {
    super(host, port);
    account = this;
  }
};

class StoredProcedures extends Items {
  constructor(collection) {
    super(collection, ["/id"]);
    this.compiled = new Map(); // id -> { etag, fn, context, json }
  }

  _newItem(data) {
    return new Item(data);
  }

  _rid(n) {
    const idBuffer = Buffer.alloc(8, 0);
    idBuffer.writeInt32LE(n, 0);
    idBuffer.writeUInt8(ResourceId.StoredProcedureByte << 4, 7);
    const rid = ResourceId.parse(this._parent.read()._rid);
    rid.storedProcedure = ResourceId.bigNumberReadIntBE(idBuffer, 0, 8).toString();
    return rid.toString();
  }

  _self(rid) {
    return `${this._parent.read()._self}/sprocs/${rid}`;
  }

  find(id) {
    return this._item("/id", id, id).read();
  }
}

// Keyed by the package's collection object: deleting (or replacing) the collection or its database drops them.
const sprocsByCollection = new WeakMap();
function sprocsOf(collection) {
  let sprocs = sprocsByCollection.get(collection);
  if (!sprocs) {
    sprocs = new StoredProcedures(collection);
    sprocsByCollection.set(collection, sprocs);
  }
  return sprocs;
}

// The headers the package puts on every response (lib/index.js), for the responses answered here.
function respond(req, res, keepAlive, status, body) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.statusCode = status;
  if (body && body._etag) res.setHeader("etag", body._etag);
  res.setHeader("content-type", "application/json");
  res.setHeader("content-location", `https://${req.headers.host}${req.url}`);
  res.setHeader("connection", keepAlive ? "keep-alive" : "close");
  res.setHeader("x-ms-activity-id", randomUUID());
  res.setHeader("x-ms-request-charge", "1");
  res.end(text);
}

const notFound = { code: "NotFound", message: "Resource Not Found" };
const sprocPath = /^\/+dbs\/([^/]+)\/colls\/([^/]+)\/sprocs(?:\/([^/]+))?\/*$/;

async function handleSproc(req, res, [, dbId, collId, sprocId]) {
  const collection = account.database(dbId).collection(collId);
  if (!collection.read()) return [404, notFound];
  const sprocs = sprocsOf(collection);
  const method = req.method;
  if (sprocId === undefined) {
    if (method === "GET") {
      const feed = await readItems(req, res, "StoredProcedures", async page => sprocs.read(page));
      return [res.statusCode, { _rid: collection.read()._rid, ...feed }];
    }
    if (method !== "POST") return undefined;
    const body = await readJson(req);
    if (trueHeader(req, "x-ms-documentdb-isquery") || req.headers["content-type"] === "application/query+json") {
      const result = sprocs.query(body, {});
      return [200, { _rid: collection.read()._rid, StoredProcedures: result.result, _count: result.result.length }];
    }
    const upsert = trueHeader(req, "x-ms-documentdb-is-upsert");
    const existing = body && body.id ? sprocs.find(body.id) : undefined;
    if (existing && !upsert) {
      return [409, { code: "Conflict", message: "Resource with specified id, name, or unique index already exists." }];
    }
    return save(sprocs, body, existing, existing ? 200 : 201);
  }
  const existing = sprocs.find(sprocId);
  if (!existing) return [404, notFound];
  switch (method) {
    case "GET":
      return [200, existing];
    case "PUT": {
      const body = await readJson(req);
      const ifMatch = req.headers["if-match"];
      if (ifMatch && ifMatch !== existing._etag) {
        return [412, { code: "PreconditionFailed", message: "Operation cannot be performed because one of the specified precondition is not met." }];
      }
      return save(sprocs, { ...body, id: sprocId }, existing, 200);
    }
    case "DELETE":
      sprocs.delete(sprocId, sprocId);
      sprocs.compiled.delete(sprocId);
      return [204, ""];
    case "POST":
      return execute(account, dbId, collection, sprocs, existing, req, res, await readBody(req));
    default:
      return undefined;
  }
}

function save(sprocs, body, existing, status) {
  if (!body || typeof body.id !== "string" || !body.id) return [400, { code: "BadRequest", message: "The input name is invalid." }];
  if (typeof body.body !== "string") return [400, { code: "BadRequest", message: "The input content is invalid because the required property, 'body', is missing." }];
  let compiled;
  try {
    compiled = compile(body.body);
  } catch (err) {
    return [400, { code: "BadRequest", message: `Encountered exception while compiling Javascript. Exception = ${err}` }];
  }
  const data = { id: body.id, body: body.body };
  const stored = existing ? sprocs.replace(data, existing) : sprocs.create(data);
  compiled.etag = stored._etag;
  sprocs.compiled.set(stored.id, compiled);
  return [status, stored];
}

const concurrentWritesPath = "/_test/concurrent-writes";

async function handleConcurrentWrite(req) {
  const { database, collection: collId, partitionKey, beforeWriteOf, documents = [], deletes = [], timeUp = false } = await readJson(req);
  const collection = account.database(database).collection(collId);
  if (!collection.read()) return [404, notFound];
  if (typeof beforeWriteOf !== "string" || !Array.isArray(documents) || documents.some(d => !d || typeof d.id !== "string" || collection.documents._getPartition(d) !== partitionKey)
    || !Array.isArray(deletes) || deletes.some(id => typeof id !== "string")) {
    return [400, { code: "BadRequest", message: "beforeWriteOf must be a document id, each of documents have an id and belong to partitionKey, and deletes be document ids." }];
  }
  planConcurrentWrite(collection, partitionKey, beforeWriteOf, { documents, deletes, timeUp: timeUp === true });
  return [204, ""];
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", chunk => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 1) {
    switch (argv[i]) {
      case "-h":
      case "--help":
        args.help = true;
        break;
      case "-p":
      case "--port":
        args.port = parseInt(argv[(i += 1)], 10);
        break;
      case "--host":
        args.hostname = argv[(i += 1)];
        break;
      case "--no-ssl":
        args.nossl = true;
        break;
      case "--close-connections":
        args.closeConnections = true;
        break;
      case "--test-concurrent-writes":
        args.concurrentWrites = true;
        break;
      case "--script-time-limit-ms":
        args.scriptTimeLimitMs = Number(argv[(i += 1)]);
        break;
      default:
        break;
    }
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log("Usage: node scripts/local-cosmos/server.js [--host H] [--port P] [--no-ssl] [--close-connections] [--script-time-limit-ms N] [--test-concurrent-writes]");
    return;
  }
  if (args.scriptTimeLimitMs !== undefined) setTimeLimit(args.scriptTimeLimitMs);
  // Connections are kept open between requests, as Cosmos DB keeps them; --close-connections answers every request
  // with `connection: close` (the package's own default), so each request of a client pays a new TLS handshake.
  const keepAlive = !args.closeConnections;
  const create = args.nossl ? server.createHttpServer : server.createHttpsServer;
  const httpServer = create(keepAlive ? { keepAlive } : undefined);
  // A client decides when an idle connection goes (the .NET pool after a minute); were the server to close it first,
  // a request sent at that moment would meet a closed socket.
  httpServer.keepAliveTimeout = 10 * 60 * 1000;
  httpServer.headersTimeout = httpServer.keepAliveTimeout + 1000;
  const [packageListener] = httpServer.listeners("request");
  httpServer.removeAllListeners("request");
  httpServer.on("request", (req, res) => {
    if (args.concurrentWrites && req.method === "POST" && req.url === concurrentWritesPath) {
      handleConcurrentWrite(req).then(
        ([status, body]) => respond(req, res, keepAlive, status, body),
        err => respond(req, res, keepAlive, 400, { code: "BadRequest", message: err.message })
      );
      return;
    }
    const match = req.url.includes("/sprocs") ? sprocPath.exec(req.url.split("?", 1)[0]) : null;
    if (!match) {
      const partition = scopedPartitionOf(req);
      if (partition === undefined) {
        packageListener(req, res);
      } else {
        if (req.method === "POST") req.headers["x-ms-documentdb-query-enablecrosspartition"] = "true"; // scoped, not refused
        queryPartition.run({ partition }, () => packageListener(req, res));
      }
      return;
    }
    handleSproc(req, res, match.map(s => (s === undefined ? s : decodeURIComponent(s)))).then(
      result => (result ? respond(req, res, keepAlive, result[0], result[1]) : respond(req, res, keepAlive, 400, { message: "no route" })),
      err => respond(req, res, keepAlive, err instanceof SyntaxError ? 400 : 500, { code: "BadRequest", message: err.message })
    );
  });
  httpServer.listen(args.port, args.hostname, () => {
    const { address, family, port } = httpServer.address();
    const hostname = args.hostname ? args.hostname : family === "IPv6" ? `[${address}]` : address;
    console.log(`Ready to accept HTTP${args.nossl ? "" : "S"} connections at ${hostname}:${port}`);
  });
}

main();
