#include "domain/importing/import_service.hpp"

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/csv.hpp"
#include "common/text_encoding.hpp"
#include "domain/auth/permissions.hpp"
#include "domain/importing/row_conversion.hpp"
#include "domain/importing/text_fold.hpp"
#include "domain/importing/value_parsing.hpp"
#include "domain/records/reference_checks.hpp"
#include "domain/records/values.hpp"
#include "domain/services.hpp"

namespace relais::domain::importing {
namespace {

Result<void> load_all(Transaction& tx, const EntitySchema& schema,
                      const std::function<void(const Json&)>& each) {
  ListQuery query;
  query.limit = 500;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(Page page, tx.list(schema, query));
    for (const Json& item : page.items) each(item);
    if (!page.next_cursor) return {};
    query.cursor = *page.next_cursor;
  }
}

class Importer {
 public:
  Importer(Services& services, const Actor& actor, const ImportOptions& options)
      : services_(services), actor_(actor), options_(options) {}

  Result<ImportReport> run(std::string_view bytes);

 private:
  RecordService& service();
  const EntitySchema& schema() { return service().schema(); }
  Result<void> check_required_columns() const;
  // Keeping creation dates from another system is a data migration (permissions.hpp,
  // can_keep_creation_dates): a file with such a column is refused as a whole, before any
  // row is written, when the actor may not.
  Result<void> check_creation_dates_allowed() const;
  Result<void> load_context();
  Result<void> load_custom_fields();
  struct BatchOutcome {
    std::size_t imported = 0;
    std::vector<RejectedRow> rejected;
  };
  // Writes one batch in one unit of work. Runs on its own thread while the next batch is
  // being prepared, so it touches only `batch`, `companies_` and the read-only members.
  Result<BatchOutcome> import_batch(std::vector<PreparedRow> batch, std::size_t imported_before);
  // How a batch is written. A savepoint costs SQLite a copy of every page the rows inside it
  // change and PostgreSQL a round trip, so most batches, which have no rejected row, are
  // written without one (kWhole) and undone as a whole at the first rejected row; then they
  // are written again in runs of kRunRows rows, each inside a savepoint, and a run holding a
  // rejected row once more with a savepoint per row (kInRuns).
  enum class Care { kWhole, kInRuns };
  static constexpr std::size_t kRunRows = 64;
  // `needs_care`: kWhole met a rejected row and wrote nothing.
  Result<BatchOutcome> write_batch(std::vector<PreparedRow>& batch, std::size_t imported_before,
                                   Care care, bool& needs_care);
  // Converts data rows into `out` until it holds `count` rows or the file ends; rows that
  // are rejected without the database (bad cells, duplicates inside the file) go to the
  // report. Returns the index of the next unread row.
  std::size_t prepare_rows(const RowConverter& converter, const std::vector<common::CsvRow>& rows,
                           std::size_t next, std::size_t count, std::vector<PreparedRow>& out);

  struct Attempt {
    std::size_t created = 0;
    std::vector<RejectedRow> rejected;
    std::unordered_map<std::string, std::int64_t> new_companies;
  };
  // Writes one row inside its own savepoint: a rejected row leaves nothing behind (neither
  // the company it created nor half of its record), and the batch goes on. Returns the
  // rejection, if any.
  std::optional<RejectedRow> write_row(Transaction& tx, PreparedRow& row, Attempt& attempt);
  // Writes rows [begin, end) of `batch` inside one savepoint. False, with every write of the
  // run undone, if one of them was rejected.
  bool write_run(Transaction& tx, std::vector<PreparedRow>& batch, std::size_t begin,
                 std::size_t end, Attempt& attempt);
  std::optional<RejectedRow> write_row_steps(Transaction& tx, PreparedRow& row, Attempt& attempt,
                                             std::string& new_company);
  Result<std::optional<std::int64_t>> find_company(Transaction& tx, const std::string& name,
                                                   const Attempt& attempt);
  RejectedRow rejection_from(std::size_t line, const Error& error) const;
  std::string column_for(const std::string& schema_field) const;

  Services& services_;
  const Actor& actor_;
  const ImportOptions& options_;
  ImportReport report_;
  std::vector<std::string> headers_;
  common::CsvHeader header_;
  ColumnMapping mapping_;
  ImportContext context_;
  std::unordered_map<std::string, std::int64_t> companies_;          // committed: name → id
  std::unordered_map<std::string, std::size_t> first_row_of_email_;  // contacts: e-mail → line
};

RecordService& Importer::service() {
  switch (options_.kind) {
    case ImportKind::kContacts:
      return services_.contacts;
    case ImportKind::kCompanies:
      return services_.companies;
    case ImportKind::kDeals:
      return services_.deals;
  }
  return services_.contacts;
}

std::string Importer::column_for(const std::string& schema_field) const {
  return importing::column_for(mapping_, headers_, schema_field);
}

RejectedRow Importer::rejection_from(std::size_t line, const Error& error) const {
  RejectedRow r;
  r.row = line;
  if (!error.fields.empty()) {
    r.column = column_for(error.fields.begin()->first);
    for (const auto& [field, message] : error.fields) {
      if (!r.reason.empty()) r.reason += "; ";
      r.reason += (error.fields.size() > 1 ? column_for(field) + ": " : "") + message;
    }
  } else {
    r.reason = error.message;
  }
  if (error.details.is_object() && error.details.contains("existing_id") &&
      error.details["existing_id"].is_number_integer()) {
    r.existing_id = error.details["existing_id"].get<std::int64_t>();
  }
  return r;
}

Result<void> Importer::check_required_columns() const {
  auto has = [&](const char* field) {
    return std::find(mapping_.fields.begin(), mapping_.fields.end(), field) !=
           mapping_.fields.end();
  };
  switch (options_.kind) {
    case ImportKind::kContacts:
      if (!has("first_name") && !has("last_name") && !has("email")) {
        return Error::validation(
            "no column maps to first_name, last_name or email; use --map column=field",
            {{"columns", "no contact name or e-mail column"}});
      }
      break;
    case ImportKind::kCompanies:
      if (!has("name")) {
        return Error::validation("no column maps to the company name; use --map column=name",
                                 {{"columns", "no company name column"}});
      }
      break;
    case ImportKind::kDeals:
      if (!has("title")) {
        return Error::validation("no column maps to the deal title; use --map column=title",
                                 {{"columns", "no deal title column"}});
      }
      break;
  }
  return {};
}

Result<void> Importer::check_creation_dates_allowed() const {
  if (can_keep_creation_dates(actor_)) return {};
  for (std::size_t i = 0; i < mapping_.fields.size(); ++i) {
    if (mapping_.fields[i] != "created_at") continue;
    Error error = Error::forbidden("only an admin may import creation dates: remove the column '" +
                                   headers_[i] + "' or map it to nothing (" + headers_[i] +
                                   "=) and the records are dated today");
    error.details["column"] = headers_[i];
    return error;
  }
  return {};
}

Result<void> Importer::load_custom_fields() {
  const std::string entity = schema().name;
  auto loaded = services_.store.read([&](Transaction& tx) -> Result<Json> {
    context_.custom_fields.clear();  // a unit may run again
    RELAIS_TRY(load_all(tx, custom_field_schema(), [&](const Json& def) {
      if (def.value("entity", "") == entity) context_.custom_fields[def.value("key", "")] = def;
    }));
    return Json();
  });
  if (!loaded.ok()) return std::move(loaded).error();
  return {};
}

Result<void> Importer::load_context() {
  bool wants_users = std::find(mapping_.fields.begin(), mapping_.fields.end(), "owner_email") !=
                     mapping_.fields.end();
  bool wants_pipelines = options_.kind == ImportKind::kDeals;
  if (!wants_users && !wants_pipelines) return {};
  auto loaded = services_.store.read([&](Transaction& tx) -> Result<Json> {
    context_.users_by_email.clear();  // a unit may run again
    context_.pipelines.clear();
    if (wants_users) {
      RELAIS_TRY(load_all(tx, user_schema(), [&](const Json& u) {
        if (u.contains("email") && u["email"].is_string() && u["id"].is_number_integer()) {
          context_.users_by_email[to_lower_ascii(u["email"].get<std::string>())] =
              u["id"].get<std::int64_t>();
        }
      }));
    }
    if (wants_pipelines) {
      RELAIS_TRY(load_all(tx, pipeline_schema(), [&](const Json& p) {
        context_.pipelines.push_back(
            ImportPipeline{p.value("id", std::int64_t{0}), p.value("name", std::string()),
                           p.value("stages", Json::array()), p.value("is_default", false)});
      }));
    }
    return Json();
  });
  if (!loaded.ok()) return std::move(loaded).error();
  if (wants_pipelines) {
    if (context_.pipelines.empty()) {
      return Error::validation("no pipeline exists yet; create one before importing deals");
    }
    // Pipelines are listed newest first; the default is the flagged one, else the oldest.
    context_.default_pipeline = &context_.pipelines.back();
    for (const ImportPipeline& p : context_.pipelines) {
      if (p.is_default) context_.default_pipeline = &p;
    }
  }
  return {};
}

Result<std::optional<std::int64_t>> Importer::find_company(Transaction& tx, const std::string& name,
                                                           const Attempt& attempt) {
  std::string key = fold_label(name);
  if (auto it = companies_.find(key); it != companies_.end()) return {it->second};
  if (auto it = attempt.new_companies.find(key); it != attempt.new_companies.end()) {
    return {it->second};
  }
  auto node = std::make_shared<FilterNode>();
  node->kind = FilterNode::Kind::kCompare;
  node->field = "name";
  node->op = CompareOp::kEq;
  node->value = name;
  ListQuery query;
  query.filter = node;
  query.limit = 1;
  // Only a company the importing user can read may be linked; otherwise the row gets a
  // company of its own, as if the other one did not exist.
  query.visibility = visibility_as_listed(actor_, company_schema());
  RELAIS_ASSIGN_OR_RETURN(Page page, tx.list(company_schema(), query));
  if (page.items.empty()) return std::optional<std::int64_t>{};
  std::int64_t id = page.items.front()["id"].get<std::int64_t>();
  // Only ids that exist outside this attempt may be cached across batches.
  companies_[key] = id;
  return {id};
}

std::optional<RejectedRow> Importer::write_row(Transaction& tx, PreparedRow& row,
                                               Attempt& attempt) {
  std::optional<RejectedRow> rejection;
  std::string new_company;  // the key this row added to attempt.new_companies, if any
  auto written = tx.savepoint([&]() -> Result<Json> {
    rejection = write_row_steps(tx, row, attempt, new_company);
    if (rejection) return Error::validation(rejection->reason);  // undoes the row's writes
    return Json();
  });
  if (written.ok()) return std::nullopt;
  if (!new_company.empty()) attempt.new_companies.erase(new_company);  // rolled back with it
  if (!rejection) rejection = rejection_from(row.line, written.error());
  return rejection;
}

std::optional<RejectedRow> Importer::write_row_steps(Transaction& tx, PreparedRow& row,
                                                     Attempt& attempt, std::string& new_company) {
  auto fail = [](RejectedRow r) { return std::optional<RejectedRow>(std::move(r)); };
  Json body = row.body;  // a copy: a unit of work may run again
  // Back to the clock whatever happens to this row.
  struct ClockReset {
    Transaction& tx;
    ~ClockReset() { (void)tx.set_effective_time(std::nullopt); }
  } clock_reset{tx};
  if (!row.created_at.empty()) {
    // The record (and the company first seen on its row) keeps its creation date; its audit
    // entry and event carry the real time of the import.
    tx.set_effective_time_scope(EffectiveTimeScope::kRecordsOnly);
    if (auto as_of = tx.set_effective_time(row.created_at); !as_of.ok()) {
      return RejectedRow{row.line, column_for("created_at"), as_of.error().message};
    }
  }
  if (!row.contact_emails.empty()) {
    Json ids = Json::array();
    for (const std::string& e : row.contact_emails) {
      // A contact the importing user cannot read is answered like a missing one.
      std::optional<Json> contact;
      if (auto id = tx.find_contact_by_email(to_lower_ascii(e))) {
        auto readable = find_readable(tx, actor_, contact_schema(), *id);
        if (!readable.ok()) return rejection_from(row.line, readable.error());
        contact = std::move(readable).value();
      }
      if (!contact)
        return RejectedRow{row.line, column_for("contact_ids"), "no contact with e-mail " + e};
      ids.push_back((*contact)["id"]);
    }
    body["contact_ids"] = std::move(ids);
  }
  if (!row.company_name.empty()) {
    auto found = find_company(tx, row.company_name, attempt);
    if (!found.ok()) return rejection_from(row.line, found.error());
    if (*found) {
      body["company_id"] = **found;
    } else {
      auto created = services_.companies.create_in(tx, actor_, Json{{"name", row.company_name}});
      if (!created.ok()) {
        RejectedRow r = rejection_from(row.line, created.error());
        r.column = column_for("company_id");
        r.reason = "cannot create company '" + row.company_name + "': " + r.reason;
        return fail(std::move(r));
      }
      std::int64_t id = (*created)["id"].get<std::int64_t>();
      new_company = fold_label(row.company_name);
      attempt.new_companies[new_company] = id;
      body["company_id"] = id;
    }
  }
  auto created = service().create_in(tx, actor_, body);
  if (!created.ok()) return fail(rejection_from(row.line, created.error()));
  return std::nullopt;
}

bool Importer::write_run(Transaction& tx, std::vector<PreparedRow>& batch, std::size_t begin,
                         std::size_t end, Attempt& attempt) {
  std::vector<std::string> added_companies;
  auto written = tx.savepoint([&]() -> Result<Json> {
    for (std::size_t i = begin; i < end; ++i) {
      std::string new_company;
      auto rejection = write_row_steps(tx, batch[i], attempt, new_company);
      if (!new_company.empty()) added_companies.push_back(std::move(new_company));
      if (rejection) return Error::validation(rejection->reason);  // undoes the whole run
    }
    return Json();
  });
  if (written.ok()) {
    attempt.created += end - begin;
    return true;
  }
  for (const std::string& key : added_companies) attempt.new_companies.erase(key);
  return false;
}

Result<Importer::BatchOutcome> Importer::write_batch(std::vector<PreparedRow>& batch,
                                                     std::size_t imported_before, Care care,
                                                     bool& needs_care) {
  Attempt attempt;
  bool rolled_back_on_purpose = false;
  auto written = services_.store.write([&](Transaction& tx) -> Result<Json> {
    // From scratch: an engine may run a unit of work again (PostgreSQL serialization retry).
    attempt = Attempt{};
    needs_care = false;
    if (care == Care::kWhole) {
      for (auto& row : batch) {
        std::string new_company;
        if (write_row_steps(tx, row, attempt, new_company)) {
          needs_care = true;
          return Error::internal("import batch has a rejected row");  // undoes the batch
        }
        ++attempt.created;
      }
    } else {
      for (std::size_t begin = 0; begin < batch.size(); begin += kRunRows) {
        const std::size_t end = std::min(batch.size(), begin + kRunRows);
        if (write_run(tx, batch, begin, end, attempt)) continue;
        for (std::size_t i = begin; i < end; ++i) {
          if (auto rejection = write_row(tx, batch[i], attempt)) {
            attempt.rejected.push_back(std::move(*rejection));
          } else {
            ++attempt.created;
          }
        }
      }
    }
    if (options_.dry_run) {
      rolled_back_on_purpose = true;
      return Error::internal("import batch rolled back");
    }
    return Json();
  });
  if (needs_care) return BatchOutcome{};
  if (!written.ok() && !rolled_back_on_purpose) {
    Error e = std::move(written).error();
    e.message = "import stopped at row " + std::to_string(batch.front().line) + " after " +
                std::to_string(imported_before) + " rows were imported: " + e.message;
    return e;
  }
  BatchOutcome outcome;
  outcome.imported = attempt.created;
  outcome.rejected = std::move(attempt.rejected);
  if (!options_.dry_run) {
    for (auto& [name, id] : attempt.new_companies) companies_[name] = id;
  }
  return outcome;
}

Result<Importer::BatchOutcome> Importer::import_batch(std::vector<PreparedRow> batch,
                                                      std::size_t imported_before) {
  bool needs_care = false;
  auto whole = write_batch(batch, imported_before, Care::kWhole, needs_care);
  if (!needs_care) return whole;
  return write_batch(batch, imported_before, Care::kInRuns, needs_care);
}

std::size_t Importer::prepare_rows(const RowConverter& converter,
                                   const std::vector<common::CsvRow>& rows, std::size_t next,
                                   std::size_t count, std::vector<PreparedRow>& out) {
  for (; next < rows.size() && out.size() < count; ++next) {
    const common::CsvRow& row = rows[next];
    bool blank = std::all_of(row.cells.begin(), row.cells.end(),
                             [](const std::string& c) { return trim_cell(c).empty(); });
    if (blank) continue;
    ++report_.rows;
    PreparedRow p;
    RejectedRow rejected;
    if (!converter.convert(row, p, rejected)) {
      report_.rejected.push_back(std::move(rejected));
      continue;
    }
    if (options_.kind == ImportKind::kContacts && p.body.contains("emails")) {
      bool duplicate = false;
      for (const Json& e : p.body["emails"]) {
        std::string key = to_lower_ascii(e.get<std::string>());
        auto [it, inserted] = first_row_of_email_.emplace(key, row.line);
        if (!inserted && it->second != row.line) {
          report_.rejected.push_back(RejectedRow{row.line, column_for("emails"),
                                                 "e-mail " + e.get<std::string>() +
                                                     " already appears on row " +
                                                     std::to_string(it->second) + " of this file",
                                                 std::nullopt});
          duplicate = true;
          break;
        }
      }
      if (duplicate) continue;
    }
    out.push_back(std::move(p));
  }
  return next;
}

Result<ImportReport> Importer::run(std::string_view bytes) {
  report_.dry_run = options_.dry_run;
  RELAIS_ASSIGN_OR_RETURN(common::DecodedText decoded, common::decode_to_utf8(bytes));
  report_.encoding = decoded.encoding;
  RELAIS_ASSIGN_OR_RETURN(common::CsvTable table, common::parse_csv(decoded.text));
  headers_ = table.header.columns;
  report_.separator = table.header.separator;
  RELAIS_TRY(load_custom_fields());
  std::vector<CustomFieldColumn> custom_columns;
  for (const auto& [key, def] : context_.custom_fields) {
    custom_columns.push_back(CustomFieldColumn{key, def.value("label", "")});
  }
  RELAIS_ASSIGN_OR_RETURN(mapping_,
                          map_columns(options_.kind, headers_, options_.overrides, custom_columns));
  report_.mapping = mapping_.by_header;
  report_.unmapped_columns = mapping_.unmapped;
  RELAIS_TRY(check_required_columns());
  RELAIS_TRY(check_creation_dates_allowed());
  RELAIS_TRY(load_context());
  const RowConverter converter(options_.kind, schema(), headers_, mapping_, context_);

  // Two stages in step: while batch k is written (its own thread, waiting on the store's
  // writer), batch k+1 is converted here. Converting is a third of the work of a row, so
  // on two cores the import runs at the speed of the writer alone.
  const std::size_t batch_size = std::max<std::size_t>(1, options_.batch_size);
  std::future<Result<BatchOutcome>> in_flight;
  auto settle = [&]() -> Result<void> {
    if (!in_flight.valid()) return {};
    RELAIS_ASSIGN_OR_RETURN(BatchOutcome done, in_flight.get());
    report_.imported += done.imported;
    for (auto& r : done.rejected) report_.rejected.push_back(std::move(r));
    return {};
  };
  std::size_t next = 0;
  while (next < table.rows.size()) {
    std::vector<PreparedRow> batch;
    batch.reserve(batch_size);
    next = prepare_rows(converter, table.rows, next, batch_size, batch);
    RELAIS_TRY(settle());
    if (batch.empty()) continue;
    in_flight = std::async(std::launch::async,
                           [this, batch = std::move(batch), imported = report_.imported]() mutable {
                             return import_batch(std::move(batch), imported);
                           });
  }
  RELAIS_TRY(settle());
  std::stable_sort(report_.rejected.begin(), report_.rejected.end(),
                   [](const RejectedRow& a, const RejectedRow& b) { return a.row < b.row; });
  return std::move(report_);
}

}  // namespace

Json ImportReport::to_json() const {
  Json rejected_rows = Json::array();
  for (const RejectedRow& r : rejected) {
    Json item = {{"row", r.row}, {"column", r.column}, {"reason", r.reason}};
    if (r.existing_id) item["existing_id"] = *r.existing_id;
    rejected_rows.push_back(std::move(item));
  }
  return Json{{"rows", rows},
              {"imported", imported},
              {"rejected", std::move(rejected_rows)},
              {"dry_run", dry_run},
              {"encoding", encoding},
              {"separator", std::string(1, separator)},
              {"mapping", mapping},
              {"unmapped_columns", unmapped_columns}};
}

ImportService::ImportService(Services& services) : services_(services) {}

Result<ImportReport> ImportService::import_csv(const Actor& actor, std::string_view bytes,
                                               const ImportOptions& options) {
  Importer importer(services_, actor, options);
  return importer.run(bytes);
}

}  // namespace relais::domain::importing
