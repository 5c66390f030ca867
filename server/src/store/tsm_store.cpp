// The TSM role's records (docs/server.md, "Chip management"): each step one transaction
// under the store's lock, like the money steps.
#include <limits>

#include "store/random_ids.hpp"
#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

namespace mgmt = chip::mgmt;
using journal::allRows;
using journal::bindAll;
using journal::firstRow;
using journal::readColumns;
using journal::Statement;
using journal::WriteTransaction;

std::string appletText(mgmt::Applet applet) {
    return std::string(mgmt::appletName(applet));
}

mgmt::Applet appletOf(const std::string& name) {
    const auto applet = mgmt::appletFromName(name);
    if (!applet) {
        throw StoreError("tsm: an unknown applet " + name + " in the database");
    }
    return *applet;
}

TsmJobState jobStateOf(const std::string& name) {
    for (const TsmJobState state :
         {TsmJobState::Pending, TsmJobState::Done, TsmJobState::Refused}) {
        if (toString(state) == name) {
            return state;
        }
    }
    throw StoreError("tsm: an unknown job state " + name + " in the database");
}

constexpr std::string_view kSelectJob =
    "SELECT job_id, chip_serial, applet, operation, request, carries_keys, state, status_word, "
    "created_at, finished_at FROM tsm_jobs";

TsmJobRecord jobFrom(const Statement& row) {
    TsmJobRecord job;
    std::string applet;
    std::string state;
    readColumns(row, job.jobId, job.chipSerial, applet, job.operation, job.request);
    job.applet = appletOf(applet);
    job.carriesKeys = row.integer(5) != 0;
    job.state = jobStateOf(row.text(6));
    if (!row.isNull(7)) {
        job.statusWord = static_cast<std::uint16_t>(row.integer(7));
    }
    job.createdAt = row.integer(8);
    if (!row.isNull(9)) {
        job.finishedAt = row.integer(9);
    }
    return job;
}

std::vector<TsmJobRecord> pendingJobs(sqlite3* database, std::string_view chipSerial,
                                      std::size_t max) {
    return allRows(database,
                   std::string(kSelectJob) +
                       " WHERE chip_serial = ?1 AND state = 'pending' ORDER BY created_at, rowid "
                       "LIMIT ?2",
                   jobFrom, chipSerial, max);
}

constexpr std::string_view kSelectApplet =
    "SELECT chip_serial, applet, lifecycle, parameters_version, keys_present, sequence_counter, "
    "updated_at FROM tsm_applets";

TsmAppletRecord appletFrom(const Statement& row) {
    TsmAppletRecord record;
    record.chipSerial = row.text(0);
    record.applet = appletOf(row.text(1));
    if (!row.isNull(2)) {
        record.lifecycle = chip::sam::lifecycleFromName(row.text(2));
    }
    record.parametersVersion = static_cast<std::uint32_t>(row.integer(3));
    record.keysPresent = row.integer(4) != 0;
    if (!row.isNull(5)) {
        record.sequenceCounter = static_cast<std::uint32_t>(row.integer(5));
    }
    record.updatedAt = row.integer(6);
    return record;
}

std::optional<TsmAppletRecord> selectApplet(sqlite3* database, std::string_view chipSerial,
                                            mgmt::Applet applet) {
    return firstRow(database,
                    std::string(kSelectApplet) + " WHERE chip_serial = ?1 AND applet = ?2",
                    appletFrom, chipSerial, appletText(applet));
}

// The row of an applet the store has not heard of yet: nothing authenticated.
void ensureApplet(sqlite3* database, std::string_view chipSerial, mgmt::Applet applet,
                  std::int64_t now) {
    Statement insert(database,
                     "INSERT INTO tsm_applets (chip_serial, applet, lifecycle, parameters_version, "
                     "keys_present, sequence_counter, updated_at) VALUES (?1, ?2, NULL, 0, 0, "
                     "NULL, ?3) ON CONFLICT(chip_serial, applet) DO NOTHING");
    bindAll(insert, chipSerial, appletText(applet), now).step();
}

void recordStatus(sqlite3* database, const TsmJobRecord& job, const mgmt::AppletStatus& status,
                  std::int64_t now) {
    ensureApplet(database, job.chipSerial, job.applet, now);
    Statement update(database,
                     "UPDATE tsm_applets SET lifecycle = ?3, parameters_version = ?4, "
                     "keys_present = ?5, updated_at = ?6 WHERE chip_serial = ?1 AND applet = ?2");
    bindAll(update, job.chipSerial, appletText(job.applet),
            chip::sam::lifecycleName(status.lifecycle), status.parametersVersion.value_or(0),
            status.keysPresent.value_or(false) ? 1 : 0, now)
        .step();
}

// Ordered locked: the applet's latest lock or unlock job is a lock, in any state (a refusal's
// bare status word is unauthenticated, so a refused lock stays in force), until a done unlock
// replaces it. Jobs are ordered by rowid, their insertion order.
bool orderedLocked(sqlite3* database, std::string_view chipSerial, mgmt::Applet applet) {
    Statement query(database,
                    "SELECT 1 FROM tsm_jobs l WHERE l.chip_serial = ?1 AND l.applet = ?2 AND "
                    "l.operation = 'lock' AND NOT EXISTS (SELECT 1 FROM tsm_jobs u WHERE "
                    "u.chip_serial = ?1 AND u.applet = ?2 AND u.operation = 'unlock' AND "
                    "u.state = 'done' AND u.rowid > l.rowid)");
    bindAll(query, chipSerial, appletText(applet));
    return query.step();
}

bool appletLocked(sqlite3* database, std::string_view chipSerial, mgmt::Applet applet) {
    const auto record = selectApplet(database, chipSerial, applet);
    return orderedLocked(database, chipSerial, applet) ||
           (record && record->lifecycle == mgmt::Lifecycle::Locked);
}

// Not for a load SAM known past installed or ordered locked: an activate job would unlock it,
// which only the operator may order.
bool mayActivate(sqlite3* database, std::string_view chipSerial) {
    const auto samRecord = selectApplet(database, chipSerial, mgmt::Applet::LoadSam);
    const bool pastInstalled =
        samRecord && samRecord->lifecycle && samRecord->lifecycle != mgmt::Lifecycle::Installed;
    return !pastInstalled && !orderedLocked(database, chipSerial, mgmt::Applet::LoadSam) &&
           pendingJobs(database, chipSerial, 1).empty();
}

bool hasPendingStatus(sqlite3* database, std::string_view chipSerial, mgmt::Applet applet) {
    Statement query(database,
                    "SELECT 1 FROM tsm_jobs WHERE chip_serial = ?1 AND applet = ?2 AND "
                    "operation = 'status' AND state = 'pending'");
    bindAll(query, chipSerial, appletText(applet));
    return query.step();
}

std::uint32_t nextParametersVersion(sqlite3* database, std::string_view chipSerial) {
    Statement query(database, "SELECT version FROM tsm_parameters WHERE chip_serial = ?1");
    query.bind(1, chipSerial);
    std::int64_t last = query.step() ? query.integer(0) : 0;
    const auto payment = selectApplet(database, chipSerial, mgmt::Applet::Payment);
    if (payment) {
        last = std::max<std::int64_t>(last, payment->parametersVersion);
    }
    if (last >= std::numeric_limits<std::uint32_t>::max()) {
        throw TsmVersionExhausted("the parameter version of " + std::string(chipSerial) +
                                  " is at its maximum; the chip would refuse a wrap to 0");
    }
    return static_cast<std::uint32_t>(last + 1);
}

void recordParameters(sqlite3* database, const TsmJobRecord& job,
                      const mgmt::PaymentParameters& parameters) {
    Statement upsert(database,
                     "INSERT OR REPLACE INTO tsm_parameters (chip_serial, version, value, job_id, "
                     "queued_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    bindAll(upsert, job.chipSerial, parameters.version, parameters.encode(), job.jobId,
            job.createdAt)
        .step();
}

TsmJobRecord newJob(const TsmJobDraft& draft, std::int64_t now) {
    TsmJobRecord job;
    job.jobId = newTsmJobId();
    job.chipSerial = draft.chipSerial;
    job.applet = draft.applet;
    job.operation = draft.operation;
    job.carriesKeys = draft.carriesKeys;
    job.createdAt = now;
    return job;
}

void insertJobRow(sqlite3* database, const TsmJobRecord& job) {
    Statement insert(database,
                     "INSERT INTO tsm_jobs (job_id, chip_serial, applet, operation, request, "
                     "carries_keys, state, status_word, created_at, finished_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, 'pending', NULL, ?7, NULL)");
    bindAll(insert, job.jobId, job.chipSerial, appletText(job.applet), job.operation, job.request,
            job.carriesKeys ? 1 : 0, job.createdAt)
        .step();
}

}  // namespace

std::string_view toString(TsmJobState state) {
    switch (state) {
        case TsmJobState::Pending:
            return "pending";
        case TsmJobState::Done:
            return "done";
        case TsmJobState::Refused:
            return "refused";
    }
    return "pending";
}

TsmJobRecord ServerStore::queueTsmJob(const TsmJobDraft& draft) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    TsmJobRecord job = insertTsmJob(draft);
    transaction.commit();
    return job;
}

TsmJobRecord ServerStore::insertTsmJob(const TsmJobDraft& draft) {
    sqlite3* database = database_.get();
    TsmJobRecord job = newJob(draft, rows::nowSeconds());
    mgmt::ManageRequest request;
    request.lifecycle = draft.lifecycle;
    request.parameters = draft.parameters;
    if (request.parameters) {
        request.parameters->version = nextParametersVersion(database, job.chipSerial);
    }
    job.request = request.encode();
    insertJobRow(database, job);
    if (request.parameters) {
        recordParameters(database, job, *request.parameters);
    }
    appendEvent(EventRecord{0, 0, "tsm_job_queued", "", job.chipSerial, "",
                            job.jobId + " " + job.operation + " " + appletText(job.applet)},
                job.createdAt);
    return job;
}

// In the caller's transaction: a status job of the refused job's applet, unless one is
// pending, when the refused job asked for a lifecycle (its refusal changed nothing we can
// prove; the status answer is authenticated).
void ServerStore::queueStatusAfterRefusal(const TsmJobRecord& refused) {
    if (!mgmt::ManageRequest::parse(refused.request).lifecycle ||
        hasPendingStatus(database_.get(), refused.chipSerial, refused.applet)) {
        return;
    }
    insertTsmJob(TsmJobDraft{refused.chipSerial, refused.applet, "status", std::nullopt,
                             std::nullopt, false});
}

std::vector<TsmJobRecord> ServerStore::syncTsmJobs(std::string_view chipSerial,
                                                   bool activateLoadSam, std::size_t max) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    if (activateLoadSam && mayActivate(database_.get(), chipSerial)) {
        insertTsmJob(TsmJobDraft{std::string(chipSerial), mgmt::Applet::LoadSam, "activate",
                                 mgmt::Lifecycle::Operational, std::nullopt, false});
    }
    auto jobs = pendingJobs(database_.get(), chipSerial, max);
    transaction.commit();
    return jobs;
}

std::optional<TsmJobRecord> ServerStore::findTsmJob(std::string_view jobId) {
    const std::lock_guard lock(mutex_);
    return firstRow(database_.get(), std::string(kSelectJob) + " WHERE job_id = ?1", jobFrom,
                    jobId);
}

std::vector<TsmJobRecord> ServerStore::listTsmJobs(std::optional<std::string_view> chipSerial) {
    const std::lock_guard lock(mutex_);
    if (chipSerial) {
        return allRows(
            database_.get(),
            std::string(kSelectJob) + " WHERE chip_serial = ?1 ORDER BY created_at, rowid", jobFrom,
            *chipSerial);
    }
    return allRows(database_.get(), std::string(kSelectJob) + " ORDER BY created_at, rowid",
                   jobFrom);
}

std::vector<TsmAppletRecord> ServerStore::tsmApplets(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(),
                   std::string(kSelectApplet) + " WHERE chip_serial = ?1 ORDER BY applet",
                   appletFrom, chipSerial);
}

std::optional<TsmAppletRecord> ServerStore::tsmApplet(std::string_view chipSerial,
                                                      mgmt::Applet applet) {
    const std::lock_guard lock(mutex_);
    return selectApplet(database_.get(), chipSerial, applet);
}

TsmCounterOutcome ServerStore::acceptTsmCounter(std::string_view chipSerial, mgmt::Applet applet,
                                                std::uint32_t counter) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const std::int64_t now = rows::nowSeconds();
    ensureApplet(database_.get(), chipSerial, applet, now);
    const auto known = selectApplet(database_.get(), chipSerial, applet);
    if (known && known->sequenceCounter && *known->sequenceCounter >= counter) {
        return TsmCounterOutcome::Replay;
    }
    Statement update(database_.get(),
                     "UPDATE tsm_applets SET sequence_counter = ?3, updated_at = ?4 "
                     "WHERE chip_serial = ?1 AND applet = ?2");
    bindAll(update, chipSerial, appletText(applet), counter, now).step();
    transaction.commit();
    return TsmCounterOutcome::Accepted;
}

bool ServerStore::finishTsmJob(std::string_view jobId, std::uint16_t statusWord,
                               const std::optional<mgmt::AppletStatus>& status) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto job =
        firstRow(database_.get(), std::string(kSelectJob) + " WHERE job_id = ?1", jobFrom, jobId);
    if (!job || job->state != TsmJobState::Pending) {
        return false;
    }
    const std::int64_t now = rows::nowSeconds();
    const TsmJobState state =
        statusWord == apdu::sw::kOk ? TsmJobState::Done : TsmJobState::Refused;
    Statement update(database_.get(),
                     "UPDATE tsm_jobs SET state = ?2, status_word = ?3, finished_at = ?4 "
                     "WHERE job_id = ?1");
    bindAll(update, jobId, toString(state), statusWord, now).step();
    if (status) {
        recordStatus(database_.get(), *job, *status, now);
    }
    appendEvent(
        EventRecord{0, 0, state == TsmJobState::Done ? "tsm_job_done" : "tsm_job_refused", "",
                    job->chipSerial, "",
                    job->jobId + " " + job->operation + " SW " + apdu::statusWordHex(statusWord)},
        now);
    if (state == TsmJobState::Refused) {
        queueStatusAfterRefusal(*job);
    }
    transaction.commit();
    return true;
}

bool ServerStore::isTsmAppletLocked(std::string_view chipSerial, mgmt::Applet applet) {
    const std::lock_guard lock(mutex_);
    return appletLocked(database_.get(), chipSerial, applet);
}

Bytes ServerStore::keepTsmPaymentKeys(std::string_view chipSerial, ByteView sealed) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    Statement insert(database_.get(),
                     "INSERT INTO tsm_payment_keys (chip_serial, sealed, created_at) VALUES "
                     "(?1, ?2, ?3) ON CONFLICT(chip_serial) DO NOTHING");
    bindAll(insert, chipSerial, sealed, rows::nowSeconds()).step();
    Statement query(database_.get(), "SELECT sealed FROM tsm_payment_keys WHERE chip_serial = ?1");
    query.bind(1, chipSerial).step();
    Bytes kept = fromHex(query.text(0));
    transaction.commit();
    return kept;
}

std::optional<Bytes> ServerStore::tsmPaymentKeys(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    return firstRow(
        database_.get(), "SELECT sealed FROM tsm_payment_keys WHERE chip_serial = ?1",
        [](const Statement& row) { return fromHex(row.text(0)); }, chipSerial);
}

std::optional<TsmParametersRecord> ServerStore::tsmParameters(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    return firstRow(
        database_.get(),
        "SELECT chip_serial, version, value, job_id, queued_at FROM tsm_parameters "
        "WHERE chip_serial = ?1",
        [](const Statement& row) {
            TsmParametersRecord record;
            readColumns(row, record.chipSerial, record.version, record.value, record.jobId,
                        record.queuedAt);
            return record;
        },
        chipSerial);
}

}  // namespace taplink::server
