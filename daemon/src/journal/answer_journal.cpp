#include "journal/answer_journal.hpp"

#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

void AnswerJournal::keep(const net::wire::SignedAnswer& answer) {
    const auto& statement = answer.statement;
    Statement insert(database_,
                     "INSERT INTO server_answers (order_id, method, path, status, chip_serial, "
                     "request_sha256, answer_body, key_id, signature, received_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    insert.bind(1, answer.orderId)
        .bind(2, statement.method)
        .bind(3, statement.path)
        .bind(4, std::int64_t{statement.status})
        .bind(5, toHex(statement.chipSerial))
        .bind(6, toHex(statement.requestDigest))
        .bind(7, statement.answerBody)
        .bind(8, answer.keyId)
        .bind(9, toHex(answer.signature))
        .bind(10, nowSeconds())
        .step();
}

std::vector<net::wire::SignedAnswer> AnswerJournal::ofOrder(std::string_view orderId) {
    Statement query(
        database_,
        "SELECT method, path, status, chip_serial, request_sha256, answer_body, key_id, "
        "signature FROM server_answers WHERE order_id = ?1 ORDER BY id");
    query.bind(1, orderId);
    std::vector<net::wire::SignedAnswer> answers;
    while (query.step()) {
        answers.push_back({std::string(orderId),
                           {static_cast<int>(query.integer(2)), query.text(0), query.text(1),
                            fromHex(query.text(3)), fromHex(query.text(4)), query.text(5)},
                           query.text(6),
                           fromHex(query.text(7))});
    }
    return answers;
}

}  // namespace taplink::journal
