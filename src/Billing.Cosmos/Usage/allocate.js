// Stored procedure of the accounts container: takes or releases one unit of an allocation meter (a project, a seat)
// in one atomic request, in the account's partition. Registered as `allocate-v3` (CosmosAllocationLedger) by the
// provisioner locally and by infra/modules/cosmos.bicep in Azure. A change of behaviour needs a new id (v4 next), so
// that code and procedure deployed at different moments never disagree (a test pins this file to its id).
//
// A call that sends a version must find the account still at it (otherwise: staleAccount, nothing written): a take's is
// the version the caller worked its limit out from, so a lowered limit applies from the moment the account is stored;
// a release's makes its answer's limit the one in force. Only a release's last attempt against an account that keeps
// changing sends none (not checked), so a release is never refused for that.
//
// The unit's document and the meter's counter change in the same transaction, so the counter always equals the units
// held: a call that dies or goes away leaves both written or neither. Any failure throws and Cosmos DB rolls
// everything back; a write conflict throws "allocate write conflict", which the ledger runs again.
//
// A unit marked `pending` was left by the two-step take this procedure replaced, which may or may not have counted
// it: a take counts it afresh and a release deletes it without a decrement, so the counter errs high, never low.
//
// Absent and null fields mean the same.
// r: { op: "take" | "release", accountDocumentId, accountVersion (null: not checked), unit (the unit's document as a
//      take creates it), counter (the meter's counter document as its first take creates it, held 1), limit (the most
//      units a take may leave held, or null) }
// Body: { status: "taken" | "alreadyHeld" | "limitReached" | "released" | "notHeld" | "staleAccount", held }
function allocate(r) {
  var collection = getContext().getCollection();
  var docs = collection.getAltLink() + "/docs/";

  read(r.unit.id, function (unit) {
    read(r.counter.id, function (counter) {
      var held = counter ? counter.held : 0;
      if (r.accountVersion == null) {
        change(unit, counter, held);
      } else {
        read(r.accountDocumentId, function (account) {
          if (!account || account.version !== r.accountVersion) {
            return answer("staleAccount", held);
          }
          change(unit, counter, held);
        });
      }
    });
  });

  function change(unit, counter, held) {
    if (r.op === "release") {
      release(unit, counter, held);
    } else {
      take(unit, counter, held);
    }
  }

  function take(unit, counter, held) {
    if (unit && !unit.pending) {
      return answer("alreadyHeld", held);
    }
    if (r.limit != null && held >= r.limit) {
      return answer("limitReached", held);
    }
    if (unit) {
      must(collection.replaceDocument(docs + unit.id, r.unit, { etag: unit._etag }, fail));
    } else {
      must(collection.createDocument(collection.getSelfLink(), r.unit, {}, fail));
    }
    if (counter) {
      counter.held = held + 1;
      counter.updatedAt = r.counter.updatedAt;
      must(collection.replaceDocument(docs + counter.id, counter, { etag: counter._etag }, fail));
    } else {
      must(collection.createDocument(collection.getSelfLink(), r.counter, {}, fail));
    }
    answer("taken", held + 1);
  }

  function release(unit, counter, held) {
    if (!unit) {
      return answer("notHeld", held);
    }
    must(collection.deleteDocument(docs + unit.id, { etag: unit._etag }, fail));
    if (unit.pending || !counter || held < 1) {
      return answer("released", held);
    }
    counter.held = held - 1;
    counter.updatedAt = r.counter.updatedAt;
    must(collection.replaceDocument(docs + counter.id, counter, { etag: counter._etag }, fail));
    answer("released", held - 1);
  }

  function read(id, then) {
    must(collection.readDocument(docs + id, {}, function (error, document) {
      if (error && error.number !== 404) {
        throw error;
      }
      then(error ? null : document);
    }));
  }

  // A concurrent write to the unit or the counter rolls the transaction back with a message the caller recognises
  // and retries on; Cosmos DB answers every aborted execution with 400. A unit read here and deleted since (a release
  // meanwhile) answers the replace or the delete 404: a conflict too, and the next run sees it gone.
  function fail(error) {
    if (error) {
      if (error.number === 404 || error.number === 409 || error.number === 412 || error.number === 449) {
        throw new Error("allocate write conflict (" + error.number + "): run it again.");
      }
      throw error;
    }
  }

  function must(accepted) {
    if (!accepted) {
      throw new Error("The request was not accepted (the procedure ran out of time); nothing was changed.");
    }
  }

  function answer(status, held) {
    getContext().getResponse().setBody({ status: status, held: held });
  }
}
