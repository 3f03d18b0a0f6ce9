// Stored procedure of the accounts container: records one usage in one atomic request, in the account's partition.
// Registered as `recordUsage-v5` (CosmosUsageLedger.RecordUsageProcedure) by the provisioner locally and by
// infra/modules/cosmos.bicep in Azure. A change of behaviour needs a new id (v6 next), so that code and procedure
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
// the add-ons in force include now, plus what add-ons that stopped applying (expired or revoked) covered while they
// applied, included units being used soonest-ending first (`covered`, per add-on; `lapsed` is its sum; `expired` the
// expired add-on units, kept for older readers). The C# twin is UsageCounters.WithIncluded (the in-memory ledger, the
// views of the current period, the counters' first record and CosmosUsageLedger.SetIncludedAsync use it): keep them alike.
//
// Absent and null fields mean the same.
// r: { accountDocumentId, accountVersion (null: not checked), key (the key document, without its answer: its meter
//      and quantity are what is counted), countersId, newCounters (the period's counters document as its first record
//      creates it; absent until the period's closing-day index entry exists), limit (hard limit or null), included
//      (included units of an overage meter now, or null), allowances (with included: the meter's allowances in the
//      order they are used, each { id, units, state: "inForce" | "expired" | "revoked" }; empty: the plan's included
//      alone), plan, now }
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
        counters.covered = {};
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
  // allowances are used in the order given; one that stopped applying and is not in `covered` yet takes its part of the
  // stretch's usage not covered by those already there, after the allowances before it, up to its units, and keeps it.
  // One in force again (a refund that failed) leaves `covered`. Counters from before `covered` was kept: their `lapsed`
  // covers the soonest-expiring add-ons expired now, as many as their `expired` units (RecordedBefore).
  function include(c, used) {
    c.included = c.included || {};
    c.lapsed = c.lapsed || {};
    c.expired = c.expired || {};
    c.covered = c.covered || {};
    var allowances = r.allowances && r.allowances.length ? r.allowances : [{ id: "plan", units: r.included, state: "inForce" }];
    var expired = 0;
    var covered = c.covered[meter] ? copy(c.covered[meter]) : recordedBefore(c, allowances);
    allowances.forEach(function (a) {
      if (a.state === "expired") {
        expired += a.units;
      }
      if (a.state === "inForce") {
        delete covered[a.id];
      }
    });
    var left = Math.max(0, used - ((c.since || {})[meter] || 0) - sum(covered));
    allowances.forEach(function (a) {
      var ended = a.state !== "inForce";
      if (!ended || !Object.prototype.hasOwnProperty.call(covered, a.id)) {
        var taken = Math.min(a.units, left);
        left -= taken;
        if (ended) {
          covered[a.id] = taken;
        }
      }
    });
    var lapsed = sum(covered);
    c.included[meter] = r.included + lapsed;
    c.lapsed[meter] = lapsed;
    c.expired[meter] = expired;
    c.covered[meter] = covered;
  }

  function recordedBefore(c, allowances) {
    var covered = {};
    if (c.included[meter] == null) {
      return covered;
    }
    covered.recordedBefore = c.lapsed[meter] || 0;
    var seen = c.expired[meter] || 0;
    for (var i = 0; i < allowances.length; i++) {
      var a = allowances[i];
      if (a.state === "expired") {
        if (a.units > seen) {
          break;
        }
        seen -= a.units;
        covered[a.id] = 0;
      }
    }
    return covered;
  }

  function sum(values) {
    var total = 0;
    for (var name in values) {
      if (Object.prototype.hasOwnProperty.call(values, name)) {
        total += values[name];
      }
    }
    return total;
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
