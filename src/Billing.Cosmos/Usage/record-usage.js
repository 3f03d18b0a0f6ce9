// Stored procedure of the accounts container: records one usage in one atomic request, in the account's partition.
// Registered as `recordUsage-v4` (CosmosUsageLedger.RecordUsageProcedure) by the provisioner locally and by
// infra/modules/cosmos.bicep in Azure. A change of behaviour needs a new id (v5 next), so that code and procedure
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
// An overage meter's count records what the stretch includes before the unit is counted (include): what the plan and
// the add-ons in force include now, plus what add-ons that lapsed (expired) covered while they applied (`lapsed`);
// `expired` keeps the expired add-on units already taken into account. The C# twin is UsageCounters.WithIncluded (the
// in-memory ledger, the views of the current period and CosmosUsageLedger.SetIncludedAsync use it): keep them alike.
//
// Absent and null fields mean the same.
// r: { accountDocumentId, accountVersion (null: not checked), key (the key document, without its answer: its meter
//      and quantity are what is counted), countersId, newCounters (the period's counters document as its first record
//      creates it; absent until the period's closing-day index entry exists), limit (hard limit or null), included
//      (included units of an overage meter now, or null), expired (units of the meter's add-ons that expired in the
//      period so far, not revoked), plan, now }
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
        counters.lapsed = {};
        counters.expired = {};
      }
      if (r.included != null) {
        include(counters, used);
      }
      counters.counters[meter] = after;
      counters.updatedAt = r.now;
      counters.plan = r.plan;
      must(collection.replaceDocument(docs + counters.id, counters, { etag: counters._etag }, fail));
    } else {
      must(collection.createDocument(collection.getSelfLink(), r.newCounters, {}, fail));
    }
    var included = r.included != null ? (counters || r.newCounters).included[meter] : null;
    var quota = r.limit != null ? r.limit : included;
    r.key.counted = {
      used: after,
      limit: quota,
      remaining: quota === null ? null : Math.max(0, quota - after),
      overage: overage(counters || r.newCounters, included)
    };
    must(collection.createDocument(collection.getSelfLink(), r.key, {}, fail));
    answer({ status: "counted", used: after, notified: notified, key: r.key });
  }

  // The included amount of the meter once r.included applies, `used` units counted (UsageCounters.WithIncluded): the
  // add-ons expired since it was recorded (r.expired beyond expired[meter]) were the top of the amount recorded without
  // `lapsed`; what was used of that top joins `lapsed`, which never passes r.expired (a refunded add-on's coverage goes
  // back). Any other drop (a refund) is taken away for the whole stretch. Counters from before `expired` was kept: only
  // a drop seen can be an expiry.
  function include(c, used) {
    c.included = c.included || {};
    c.lapsed = c.lapsed || {};
    c.expired = c.expired || {};
    var expired = r.expired || 0;
    var lapsed = c.lapsed[meter] || 0;
    if (c.included[meter] != null) {
      var before = c.included[meter] - lapsed;
      var known = c.expired[meter] != null ? c.expired[meter] : Math.max(0, expired - Math.max(0, before - r.included));
      var top = Math.max(0, before - Math.max(0, expired - known));
      lapsed += Math.max(0, Math.min(before, used - lapsed) - top);
    }
    lapsed = Math.min(lapsed, expired);
    c.included[meter] = r.included + lapsed;
    c.lapsed[meter] = lapsed;
    c.expired[meter] = expired;
  }

  // Units of the meter beyond the included amounts, each plan's stretch against what that plan included (the
  // current one against `included`, what this count recorded); a stretch with no recorded amount has none (UsageCounters.OverageUnits).
  function overage(c, included) {
    var units = 0;
    (c.earlier || []).forEach(function (s) {
      units += beyond((s.from || {})[meter] || 0, (s.to || {})[meter] || 0, (s.included || {})[meter]);
    });
    return units + beyond((c.since || {})[meter] || 0, c.counters[meter] || 0, included);
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
