"use strict";
// The server-side JavaScript API of Cosmos DB stored procedures, over the package's own document operations.
// Each stored procedure version is compiled once into its own vm context (own microtask queue, so promise-based
// scripts finish inside the execution). An execution runs to completion synchronously: the script's main
// function, then its callbacks in the order their operations completed, each as one evaluation in the context.
// Every write records the document as it was before; a throw or a failed operation without a callback restores
// them all, newest first.
// Like Cosmos DB, an execution has a bounded time (5 s, or --script-time-limit-ms): once it is over, operations are no
// longer accepted (they return false, so a script can stop and hand back a continuation, while the callbacks of the
// operations accepted still run); an execution still running at twice the limit is ended, its writes are rolled back
// and the client gets 408.
// For tests only (server.js --test-concurrent-writes): a concurrent writer planned for one document of one partition
// (planConcurrentWrite) commits its documents out of band, new _etag and all, and deletes the ids it names, just before
// the next execution's first write of that document, as another request would between the script's read and its write.
// Once, then forgotten; those writes are not the execution's, so its rollback keeps them. A plan with timeUp ends the
// execution's time there instead: that write and every later operation are not accepted (false), as past the time limit.

const vm = require("vm");
const { randomUUID } = require("crypto");

const lib = "@vercel/cosmosdb-server/lib";
const documentOps = require(`${lib}/handler/_document-operations`);
const { patchOperation } = require(`${lib}/handler/_patch-operations`);

const DRIVER = new vm.Script("__step()", { filename: "driver.js" });
const CROSS_PARTITION =
  "Requests originating from scripts cannot reference partition keys other than the one for which client request was submitted.";
const NO_OPTIONS = Object.freeze({});
const NEW_ID = Symbol("a new id"); // createDocument and upsertDocument generate an id unless told not to
const ERROR_CODES = Object.freeze({
  BadRequest: 400,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PreconditionFailed: 412,
  RequestEntityTooLarge: 413,
  RetryWith: 449,
  InternalServerError: 500
});

let run = null; // the execution in progress: executions never overlap
const concurrentWrites = new WeakMap(); // collection -> JSON [partition key value, document id] -> { documents, deletes, timeUp }
let timeLimitMs = 5000;

function setTimeLimit(ms) {
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`The script time limit must be a positive number of milliseconds; got ${ms}.`);
  timeLimitMs = ms;
}

class TimeLimitExceeded extends Error {}

// A script's promise rejected with no handler (not the one its main function returns) is the script's business,
// not a reason for Node to stop the server; any other unhandled rejection still ends the process as before.
const scriptPromises = new WeakSet();
process.on("unhandledRejection", (reason, promise) => {
  if (!scriptPromises.has(Object.getPrototypeOf(promise))) throw reason;
});

function active() {
  if (!run) throw new Error("No stored procedure execution is in progress.");
  return run;
}

function fail(error) {
  if (run && !run.failed) {
    run.failed = true;
    run.error = error;
  }
}

// A stored procedure's outcome for an operation: the callback gets it after the current evaluation; without a
// callback, a failure aborts the execution.
function complete(r, callback, status, body, resource) {
  let err;
  if (status >= 400) {
    err = new r.compiled.Error((body && body.message) || `Request failed with status ${status}`);
    err.number = status;
    err.body = JSON.stringify(body || {});
    if (typeof callback !== "function") {
      fail(err);
      return true;
    }
  }
  if (typeof callback === "function") {
    r.queue.push(callback, err, err || resource === undefined ? undefined : r.compiled.JSON.parse(JSON.stringify(resource)), NO_OPTIONS);
  }
  return true;
}

function segments(link) {
  if (typeof link !== "string") throw new Error(`Invalid link: ${link}`);
  let start = 0;
  let end = link.length;
  while (link[start] === "/") start += 1;
  while (end > start && link[end - 1] === "/") end -= 1;
  return link.slice(start, end).split("/");
}

function isThisCollection(r, parts) {
  return (
    parts[0] === "dbs" &&
    (parts[1] === r.dbId || parts[1] === r.dbRid) &&
    parts[2] === "colls" &&
    (parts[3] === r.collId || parts[3] === r.collRid)
  );
}

function checkCollectionLink(r, link) {
  const parts = segments(link);
  if (parts.length !== 4 || !isThisCollection(r, parts)) throw new Error(`Invalid collection link: ${link}`);
}

// The document a link names, as [status, body, document].
function lookup(r, link) {
  const parts = segments(link);
  if (parts.length !== 6 || !isThisCollection(r, parts) || parts[4] !== "docs") throw new Error(`Invalid document link: ${link}`);
  const doc = r.collection.document(parts[5], r.pkValue).read();
  if (!doc) return [404, { code: "NotFound", message: "Resource Not Found" }, undefined];
  if (r.collection.documents._getPartition(doc) !== r.pkValue) return [400, { code: "BadRequest", message: CROSS_PARTITION }, undefined];
  return [200, doc, doc];
}

// Cosmos DB stops accepting a script's operations when its time is up; the operation returns false and does nothing.
function accepting(r) {
  return Date.now() < r.acceptUntil;
}

/** Plans a concurrent writer: before an execution on this partition next writes `id`, `documents` are upserted and `deletes` deleted (or its time is up). */
function planConcurrentWrite(coll, partition, id, plan) {
  if (!concurrentWrites.has(coll)) concurrentWrites.set(coll, new Map());
  concurrentWrites.get(coll).set(JSON.stringify([partition, id]), plan);
}

// The planned concurrent writer of the document the script is about to write, if any: its documents are committed now.
// True when the plan ends the execution's time instead (the write is not accepted).
function interfere(r, id) {
  const planned = concurrentWrites.get(r.collection);
  const key = JSON.stringify([r.pkValue, id]);
  const plan = planned && planned.get(key);
  if (!plan) return false;
  planned.delete(key);
  for (const doc of plan.documents) documentOps.upsertOperation(r.collection, { partitionKey: r.pkHeader, resourceBody: JSON.parse(JSON.stringify(doc)) });
  for (const deleted of plan.deletes) documentOps.deleteOperation(r.collection, { partitionKey: r.pkHeader, id: deleted });
  if (plan.timeUp) r.acceptUntil = 0;
  return plan.timeUp;
}

function optionsAndCallback(options, callback) {
  return typeof options === "function" ? [NO_OPTIONS, options] : [options || NO_OPTIONS, callback];
}

// A copy of the script's document as it would be sent over the wire; undefined when another partition key owns it.
function incoming(r, doc, defaultId) {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("The document must be an object.");
  const body = JSON.parse(JSON.stringify(doc));
  if (body.id === undefined && defaultId !== undefined) body.id = defaultId === NEW_ID ? randomUUID() : defaultId;
  return r.collection.documents._getPartition(body) === r.pkValue ? body : undefined;
}

function write(r, callback, result, id, prior) {
  if (result.statusCode < 300) r.undo.push(id, prior);
  return complete(r, callback, result.statusCode, result.body, result.statusCode === 204 ? undefined : result.body);
}

const collection = Object.freeze({
  getSelfLink: () => active().collection.read()._self,
  getAltLink: () => `dbs/${active().dbId}/colls/${active().collId}`,
  readDocument(link, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    const [status, body, doc] = lookup(r, link);
    if (doc && options.ifNoneMatch && options.ifNoneMatch === doc._etag) return complete(r, callback, 304, {}, undefined);
    return complete(r, callback, status, body, doc);
  },
  createDocument(link, doc, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    checkCollectionLink(r, link);
    const body = incoming(r, doc, options.disableAutomaticIdGeneration ? undefined : NEW_ID);
    if (!body) return complete(r, callback, 400, { code: "BadRequest", message: CROSS_PARTITION });
    if (interfere(r, body.id)) return false;
    return write(r, callback, documentOps.createOperation(r.collection, { resourceBody: body }), body.id, null);
  },
  upsertDocument(link, doc, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    checkCollectionLink(r, link);
    const body = incoming(r, doc, options.disableAutomaticIdGeneration ? undefined : NEW_ID);
    if (!body) return complete(r, callback, 400, { code: "BadRequest", message: CROSS_PARTITION });
    if (interfere(r, body.id)) return false;
    const prior = r.collection.document(body.id, r.pkValue).read() || null;
    const result = documentOps.upsertOperation(r.collection, { partitionKey: r.pkHeader, ifMatch: options.etag, resourceBody: body });
    return write(r, callback, result, body.id, prior);
  },
  replaceDocument(link, doc, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    if (interfere(r, segments(link)[5])) return false;
    const [status, error, target] = lookup(r, link);
    if (!target) return complete(r, callback, status, error);
    const body = incoming(r, doc, target.id);
    if (!body) return complete(r, callback, 400, { code: "BadRequest", message: CROSS_PARTITION });
    if (body.id !== target.id) return complete(r, callback, 400, { code: "BadRequest", message: "The id in the document does not match the link." });
    const result = documentOps.replaceOperation(r.collection, { partitionKey: r.pkHeader, ifMatch: options.etag, resourceBody: body });
    return write(r, callback, result, target.id, target);
  },
  deleteDocument(link, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    if (interfere(r, segments(link)[5])) return false;
    const [status, error, target] = lookup(r, link);
    if (!target) return complete(r, callback, status, error);
    const result = documentOps.deleteOperation(r.collection, { partitionKey: r.pkHeader, ifMatch: options.etag, id: target.id });
    return write(r, callback, result, target.id, target);
  },
  patchDocument(link, spec, options, callback) {
    const r = active();
    if (!accepting(r)) return false;
    [options, callback] = optionsAndCallback(options, callback);
    if (interfere(r, segments(link)[5])) return false;
    const [status, error, target] = lookup(r, link);
    if (!target) return complete(r, callback, status, error);
    const operations = JSON.parse(JSON.stringify(Array.isArray(spec) ? spec : (spec && spec.operations) || []));
    const condition = spec && !Array.isArray(spec) ? spec.condition : undefined;
    const result = patchOperation(r.collection, { id: target.id, partitionKey: r.pkHeader, ifMatch: options.etag, operations, condition });
    return write(r, callback, result, target.id, target);
  }
});

const request = Object.freeze({ getBody: () => active().params });
const response = Object.freeze({
  getBody: () => active().body,
  setBody(body) {
    const r = active();
    r.body = body;
    r.bodySet = true;
  }
});
const context = Object.freeze({ getCollection: () => collection, getRequest: () => request, getResponse: () => response });
const shorthand = Object.freeze({ ...collection, request, response });
const console = Object.freeze({
  log(...values) {
    const r = active();
    if (r.log) r.log.push(values.map(String).join(" "));
  }
});

// One evaluation in the script's context: the main function first, then the next queued callback.
function step() {
  const r = run;
  if (!r.started) {
    r.started = true;
    const result = r.compiled.fn.apply(undefined, r.params);
    if (result && typeof result.then === "function") r.compiled.watch(result, fail);
    return;
  }
  const i = r.next;
  r.next += 4;
  r.queue[i].call(undefined, r.queue[i + 1], r.queue[i + 2], r.queue[i + 3]);
}

function compile(body) {
  const script = new vm.Script(`(${body}\n)`, { filename: "script.js" });
  const sandbox = vm.createContext(
    { getContext: () => context, __: shorthand, ErrorCodes: ERROR_CODES, console, __step: step },
    { microtaskMode: "afterEvaluate" }
  );
  scriptPromises.add(vm.runInContext("Promise.prototype", sandbox));
  const fn = script.runInContext(sandbox);
  if (typeof fn !== "function") throw new Error("The script body must be a function.");
  // The rejection handler must belong to the context, or its job would wait in Node's own microtask queue.
  const watch = vm.runInContext("(function (promise, fail) { promise.then(undefined, function (e) { fail(e); }); })", sandbox);
  return { fn, sandbox, watch, JSON: vm.runInContext("JSON", sandbox), Error: vm.runInContext("Error", sandbox), etag: "" };
}

function describe(error) {
  try {
    return String(error);
  } catch (err) {
    return "Error";
  }
}

function rollback(r) {
  const { documents } = r.collection;
  for (let i = r.undo.length - 2; i >= 0; i -= 2) {
    const id = r.undo[i];
    const prior = r.undo[i + 1];
    if (r.collection.document(id, r.pkValue).read()) documents.delete(id, r.pkValue);
    if (prior) documents._set(prior);
  }
}

function badRequest(req, message) {
  return [
    400,
    {
      code: "BadRequest",
      message: `Message: {"Errors":[${JSON.stringify(message)}]}\r\nActivityId: ${randomUUID()}, Request URI: ${req.url}, RequestStats: , SDK: Microsoft.Azure.Documents.Common/2.14.0`
    }
  ];
}

// One evaluation, ended when the execution's time is up (the script's own microtasks included).
function evaluate(r) {
  const remaining = r.deadline - Date.now();
  if (remaining <= 0) throw new TimeLimitExceeded();
  DRIVER.runInContext(r.compiled.sandbox, { timeout: remaining });
}

// POST .../sprocs/{id}: runs the stored procedure and answers [status, body]; the body is already JSON text.
function execute(account, dbId, coll, sprocs, sproc, req, res, text) {
  let compiled = sprocs.compiled.get(sproc.id);
  if (!compiled || compiled.etag !== sproc._etag) {
    compiled = compile(sproc.body);
    compiled.etag = sproc._etag;
    sprocs.compiled.set(sproc.id, compiled);
  }
  let pkHeader = req.headers["x-ms-documentdb-partitionkey"];
  if (Array.isArray(pkHeader)) [pkHeader] = pkHeader;
  if (!pkHeader) return badRequest(req, "PartitionKey value must be supplied for this operation.");
  let pkValue;
  let params;
  try {
    const parsed = JSON.parse(pkHeader);
    pkValue = Array.isArray(parsed) ? parsed[0] : parsed;
    params = text.length ? compiled.JSON.parse(text) : [];
  } catch (err) {
    return badRequest(req, `The request is malformed: ${err.message}`);
  }
  if (pkValue !== null && typeof pkValue === "object") pkValue = undefined; // PartitionKey.None
  const logging = String(req.headers["x-ms-documentdb-script-enable-logging"]).toLowerCase() === "true";
  const r = {
    compiled,
    collection: coll,
    dbId,
    dbRid: account.database(dbId).read()._rid,
    collId: coll.read().id,
    collRid: coll.read()._rid,
    pkHeader,
    pkValue,
    params: Array.isArray(params) ? params : compiled.JSON.parse(`[${text}]`),
    body: undefined,
    bodySet: false,
    undo: [],
    queue: [],
    next: 0,
    started: false,
    failed: false,
    error: undefined,
    log: logging ? [] : null,
    acceptUntil: Date.now() + timeLimitMs,
    deadline: Date.now() + 2 * timeLimitMs
  };
  run = r;
  try {
    evaluate(r);
    while (!r.failed && r.next < r.queue.length) evaluate(r);
  } catch (err) {
    fail(err && err.code === "ERR_SCRIPT_EXECUTION_TIMEOUT" ? new TimeLimitExceeded() : err);
  } finally {
    run = null;
  }
  if (r.log && r.log.length) res.setHeader("x-ms-documentdb-script-log-results", encodeURIComponent(r.log.join("\n")));
  if (r.failed) {
    rollback(r);
    if (r.error instanceof TimeLimitExceeded) {
      return [408, { code: "RequestTimeout", message: `The stored procedure ran past its bounded time (${timeLimitMs} ms for operations, twice that in all) and was ended; nothing it wrote was kept.` }];
    }
    return badRequest(req, `Encountered exception while executing function. Exception = ${describe(r.error)}`);
  }
  const body = r.bodySet ? JSON.stringify(r.body) : undefined;
  return [200, body === undefined ? "" : body];
}

module.exports = { compile, execute, planConcurrentWrite, setTimeLimit };
