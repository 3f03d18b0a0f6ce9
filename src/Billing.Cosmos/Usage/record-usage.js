// Stored procedure of the accounts container: records one usage in one atomic request, in the account's partition.
// Registered as `recordUsage-v3` (CosmosUsageLedger.RecordUsageProcedure) by the provisioner locally and by
// infra/modules/cosmos.bicep in Azure. A change of behaviour needs a new id (v4 next), so that code and procedure
// deployed at different moments never disagree (a test pins this file to its id).
//
// In one transaction: the account must still be at the version the caller worked its limits out from; the
// idempotency key must be free; the counter plus the amount must stay within the hard limit. Then the counter
// is added to and the key is created with the answer. Any failure throws, and Cosmos DB rolls everything back; a
// write conflict throws "recordUsage write conflict", which the ledger runs again.
//
// The first count under another plan than the counters' closes that plan's stretch of the period first (appended to
// `earlier` with the counts when it took over and now, and what it included); `since` holds the counts at which the
// new plan took over. Invoicing prices each stretch by its plan (PeriodCharges), and the answer's overage does too.
//
// Absent and null fields mean the same.
// r: { accountDocumentId, accountVersion (null: not checked), key (the key document, without its answer: its meter
//      and quantity are what is counted), countersId, newCounters (the period's counters document as its first record
//      creates it; absent until the period's closing-day index entry exists), limit (hard limit or null), included
//      (included units of an overage meter, or null), plan, now }
// Body: { status: "counted" | "refused" | "duplicate" | "staleAccount" | "noCounters" | "counterFull", used, notified, key }
function recordUsage(r) {
  var meter = r.key.meter;
  var amount = r.key.quantity;
  var collection = getContext().getCollection();
  var docs = collection.getAltLink() + "/docs/";

  if (r.accountVersion == null) {
    claim();
  } else {
    read(r.accountDocumentId, function (account) {
      if (!account || account.version !== r.accountVersion) {
        return answer({ status: "staleAccount" });
      }
      claim();
    });
  }

  function claim() {
    read(r.key.id, function (holder) {
      if (holder) {
        return answer({ status: "duplicate", key: holder });
      }
      read(r.countersId, count);
    });
  }

  function count(counters) {
    var used = counters ? counters.counters[meter] || 0 : 0;
    var notified = counters ? counters.notified || {} : {};
    if (r.limit != null && used + amount > r.limit) {
      return answer({ status: "refused", used: used, notified: notified });
    }
    if (!counters && !r.newCounters) {
      return answer({ status: "noCounters" });
    }
    var after = used + amount;
    if (after > 9007199254740991) {
      return answer({ status: "counterFull", used: used, notified: notified }); // past 2^53 - 1 a JSON number is not exact
    }
    if (counters) {
      if (counters.plan && counters.plan !== r.plan) {
        counters.earlier = (counters.earlier || []).concat([{ plan: counters.plan, from: counters.since || {}, to: copy(counters.counters), included: counters.included || {} }]);
        counters.since = copy(counters.counters);
        counters.included = {};
      }
      counters.counters[meter] = after;
      counters.updatedAt = r.now;
      counters.plan = r.plan;
      if (r.included != null) {
        counters.included = counters.included || {};
        counters.included[meter] = r.included;
      }
      must(collection.replaceDocument(docs + counters.id, counters, { etag: counters._etag }, fail));
    } else {
      must(collection.createDocument(collection.getSelfLink(), r.newCounters, {}, fail));
    }
    var quota = r.limit != null ? r.limit : r.included != null ? r.included : null;
    r.key.counted = {
      used: after,
      limit: quota,
      remaining: quota === null ? null : Math.max(0, quota - after),
      overage: overage(counters || r.newCounters)
    };
    must(collection.createDocument(collection.getSelfLink(), r.key, {}, fail));
    answer({ status: "counted", used: after, notified: notified, key: r.key });
  }

  // Units of the meter beyond the included amounts, each plan's stretch against what that plan included (the
  // current one against r.included); a stretch with no recorded amount has none (UsageCounters.OverageUnits).
  function overage(c) {
    var units = 0;
    (c.earlier || []).forEach(function (s) {
      units += beyond((s.from || {})[meter] || 0, (s.to || {})[meter] || 0, (s.included || {})[meter]);
    });
    return units + beyond((c.since || {})[meter] || 0, c.counters[meter] || 0, r.included);
  }

  function beyond(from, to, included) {
    return included == null ? 0 : Math.max(0, Math.max(0, to - included) - Math.max(0, from - included));
  }

  function copy(values) {
    var result = {};
    for (var name in values) {
      if (Object.prototype.hasOwnProperty.call(values, name)) {
        result[name] = values[name];
      }
    }
    return result;
  }

  function read(id, then) {
    must(collection.readDocument(docs + id, {}, function (error, document) {
      if (error && error.number !== 404) {
        throw error;
      }
      then(error ? null : document);
    }));
  }

  // A concurrent write (another instance's first record of the period, a write conflict) rolls the transaction back
  // with a message the caller recognises and retries on; Cosmos DB answers every aborted execution with 400.
  function fail(error) {
    if (error) {
      if (error.number === 409 || error.number === 412 || error.number === 449) {
        throw new Error("recordUsage write conflict (" + error.number + "): run the record again.");
      }
      throw error;
    }
  }

  function must(accepted) {
    if (!accepted) {
      throw new Error("The request was not accepted (the procedure ran out of time); nothing was recorded.");
    }
  }

  function answer(body) {
    getContext().getResponse().setBody(body);
  }
}
