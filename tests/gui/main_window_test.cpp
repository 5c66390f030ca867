#include "main_window_test.hpp"

#include <QLabel>
#include <QTableView>
#include <QTest>

#include "core/money.hpp"
#include "gui_test_support.hpp"
#include "ui/main_window.hpp"
#include "ui/tray_icon.hpp"

namespace taplink::gui::test {

namespace {

QString labelText(QWidget* window, const char* name) {
    auto* label = window->findChild<QLabel*>(name);
    return label == nullptr ? QString() : label->text();
}

QString cell(QTableView* view, int row, int column) {
    return view->model()->index(row, column).data().toString();
}

// The row of the reader of that name, -1 when it is not listed.
static int rowOf(QTableView* view, const QString& reader) {
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        if (cell(view, row, 0) == reader) {
            return row;
        }
    }
    return -1;
}

}  // namespace

void MainWindowTest::theWindowShowsTheReaderTheCardAndItsHistory() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    // Two loads first, so the card's log has something to show.
    for (const char* amount : {"10.00", "0.01"}) {
        const Outcome topup =
            gui->ownerCall("topup.start", {{"orderId", gui->bed().createOrder(amount)}});
        QVERIFY2(topup.ok(), topup.message.c_str());
    }
    const Outcome info = gui->ownerCall("card.info");
    QVERIFY(info.ok());

    MainWindow window(gui->core());
    window.show();
    auto* readers = window.findChild<QTableView*>("readersView");
    QTRY_COMPARE_WITH_TIMEOUT(readers->model()->rowCount(), 2, kTimeoutMs);
    const QString cardReader =
        QString::fromStdString(gui->bed().bed().readerName(testbed::kCardSlot));
    const QString chipReader =
        QString::fromStdString(gui->bed().bed().readerName(testbed::kChipSlot));
    const int cardRow = rowOf(readers, cardReader);
    const int chipRow = rowOf(readers, chipReader);
    QVERIFY(cardRow >= 0 && chipRow >= 0);
    QCOMPARE(cell(readers, cardRow, 1), QStringLiteral("Card reader"));
    QCOMPARE(cell(readers, cardRow, 2), QStringLiteral("City card …0042"));
    QCOMPARE(cell(readers, chipRow, 1), QStringLiteral("Secure chip"));
    // chip.status: the TSM activated the load SAM at the first sync; no payment keys yet.
    QTRY_COMPARE_WITH_TIMEOUT(cell(readers, chipRow, 2),
                              QStringLiteral("Ready: load SAM operational, payment applet "
                                             "not activated"),
                              kTimeoutMs);

    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    QCOMPARE(labelText(&window, "cardName"), QStringLiteral("City card …0042"));
    QCOMPARE(labelText(&window, "cardIssuer"),
             QString::fromStdString(info.result.at("issuerId").get<std::string>()));
    QCOMPARE(labelText(&window, "cardValidity"),
             QStringLiteral("%1 to %2")
                 .arg(QString::fromStdString(info.result.at("validFrom").get<std::string>()),
                      QString::fromStdString(info.result.at("validUntil").get<std::string>())));
    QCOMPARE(labelText(&window, "cardBalance"), formatFen(info.result.at("balance").get<qint64>()));
    QCOMPARE(labelText(&window, "cardReader"), cardReader);

    auto* history = window.findChild<QTableView*>("historyView");
    QTRY_COMPARE_WITH_TIMEOUT(history->model()->rowCount(), 2, kTimeoutMs);
    QCOMPARE(cell(history, 0, 1), QStringLiteral("Top-up"));  // newest first
    QCOMPARE(cell(history, 0, 2), formatFen(1));
    QCOMPARE(cell(history, 1, 2), formatFen(1000));
    const Outcome records = gui->ownerCall("card.history", {{"limit", 1}});
    QVERIFY(records.ok());
    QCOMPARE(cell(history, 0, 4),
             QString::fromStdString(
                 records.result.at("records").at(0).at("terminalId").get<std::string>()));
    // A city card's log has no balances: that column is hidden.
    QVERIFY(history->isColumnHidden(HistoryModel::BalanceColumn));

    // The operator (the TSM) locks the chip; after a sync the chip's row says so.
    gui->bed().serverCommand({"tsm", "lock", "--chip-serial", "544C434800000001"});
    QVERIFY(gui->ownerCall("chip.sync").ok());
    gui->core().readers().refresh();
    QTRY_COMPARE_WITH_TIMEOUT(cell(readers, rowOf(readers, chipReader), 2),
                              QStringLiteral("Locked by its operator: nothing can be loaded"),
                              kTimeoutMs);
}

void MainWindowTest::takingTheCardAwayAndBackIsShownLive() {
    QString error;
    auto gui = GuiBed::start({}, &error);
    QVERIFY2(gui, qPrintable(error));
    MainWindow window(gui->core());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    auto* readers = window.findChild<QTableView*>("readersView");
    const QString cardReader =
        QString::fromStdString(gui->bed().bed().readerName(testbed::kCardSlot));
    const auto cardStatus = [&] { return cell(readers, rowOf(readers, cardReader), 2); };

    gui->bed().bed().sim().remove(testbed::kCardSlot);
    QTRY_COMPARE_WITH_TIMEOUT(cardStatus(), QStringLiteral("No card"), kTimeoutMs);
    QTRY_COMPARE(labelText(&window, "cardMessage"), QStringLiteral("Place a card on the reader."));
    QCOMPARE(gui->core().history().rowCount(), 0);

    gui->bed().bed().sim().reinsert(testbed::kCardSlot);
    QTRY_COMPARE_WITH_TIMEOUT(cardStatus(), QStringLiteral("City card …0042"), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(gui->core().card().status(), CardWatcher::Status::Ready, kTimeoutMs);
    // The tray (or, without one, the status bar) tells about the card.
    QVERIFY2(window.tray().lastMessage().contains(QStringLiteral("A card was placed")),
             qPrintable(window.tray().lastMessage()));
}

}  // namespace taplink::gui::test

TAPLINK_GUI_TEST_MAIN(taplink::gui::test::MainWindowTest)
