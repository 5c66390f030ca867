#include "ui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "core/app_core.hpp"
#include "core/error_texts.hpp"
#include "core/money.hpp"
#include "ui/app_icon.hpp"
#include "ui/card_panel.hpp"
#include "ui/connection_banner.hpp"
#include "ui/qt_new.hpp"
#include "ui/settings_dialog.hpp"
#include "ui/token_dialog.hpp"
#include "ui/topup_wizard.hpp"
#include "ui/tray_icon.hpp"
#include "ui/trusted_ui_presenter.hpp"

namespace taplink::gui {

namespace {

QTableView* makeTable(QAbstractItemModel* model, const char* name, const QString& accessibleName) {
    auto* view = qtNew<QTableView>();
    view->setObjectName(name);
    view->setAccessibleName(accessibleName);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setCornerButtonEnabled(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return view;
}

}  // namespace

MainWindow::MainWindow(AppCore& core, QWidget* parent)
    : QMainWindow(parent), core_(core), statusLabel_(qtNew<QLabel>()) {
    setObjectName("mainWindow");
    setWindowTitle(tr("TapLink"));
    setWindowIcon(appIcon());
    auto* central = qtNew<QWidget>();
    auto* layout = qtNew<QVBoxLayout>(central);
    layout->addWidget(qtNew<ConnectionBanner>(core_.connection()));
    auto* splitter = qtNew<QSplitter>(Qt::Horizontal);
    splitter->addWidget(buildReaders());
    splitter->addWidget(qtNew<CardPanel>(core_.card()));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 2);
    layout->addWidget(buildHistory(), 3);
    setCentralWidget(central);
    statusLabel_->setObjectName("connectionStatus");
    statusBar()->addWidget(statusLabel_, 1);
    buildActions();
    presenter_ = qtNew<TrustedUiPresenter>(core_.trustedUi(), this);
    tray_ = qtNew<TrayIcon>(core_.connection(), trayMenu_, this);
    connect(tray_, &TrayIcon::activated, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(tray_, &TrayIcon::notified, this,
            [this](const QString& message) { statusBar()->showMessage(message, 10000); });
    connect(&core_.webTopups(), &OrderWatcher::finished, this, &MainWindow::notifyWebTopup);
    connect(&core_.connection(), &DaemonConnection::stateChanged, this,
            &MainWindow::showConnectionStatus);
    connect(&core_.trustedUi(), &TrustedUiBroker::attachedChanged, this,
            &MainWindow::showConnectionStatus);
    showConnectionStatus();
    constexpr int kWidth = 860;
    constexpr int kHeight = 600;
    resize(kWidth, kHeight);
}

MainWindow::~MainWindow() = default;

TopupWizard* MainWindow::topupWizard() const {
    return wizard_.data();
}

SettingsDialog* MainWindow::settingsDialog() const {
    return settings_.data();
}

TokenDialog* MainWindow::tokenDialog() const {
    return token_.data();
}

void MainWindow::buildActions() {
    auto* topup = qtNew<QAction>(tr("&Top up a card…"), this);
    topup->setObjectName("topupAction");
    topup->setShortcut(Qt::CTRL | Qt::Key_T);
    connect(topup, &QAction::triggered, this, &MainWindow::openTopupWizard);
    auto* refresh = qtNew<QAction>(tr("&Refresh"), this);
    refresh->setShortcut(QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, this, [this] {
        core_.readers().refresh();
        core_.card().refresh();
    });
    auto* settings = qtNew<QAction>(tr("&Settings…"), this);
    settings->setObjectName("settingsAction");
    settings->setShortcut(QKeySequence::Preferences);
    connect(settings, &QAction::triggered, this, &MainWindow::openSettings);
    auto* token = qtNew<QAction>(tr("&Dynamic token…"), this);
    token->setObjectName("tokenAction");
    connect(token, &QAction::triggered, this, &MainWindow::openTokenDialog);
    auto* quit = qtNew<QAction>(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, qApp, &QApplication::quit);
    auto* about = qtNew<QAction>(tr("&About TapLink"), this);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    QMenu* file = menuBar()->addMenu(tr("&TapLink"));
    file->addActions({topup, token, refresh, settings});
    file->addSeparator();
    file->addAction(quit);
    menuBar()->addMenu(tr("&Help"))->addAction(about);
    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("mainToolbar");
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions({topup, token, refresh, settings});
    trayMenu_ = qtNew<QMenu>(this);
    auto* show = trayMenu_->addAction(tr("&Show TapLink"));
    connect(show, &QAction::triggered, this, [this] {
        showNormal();
        activateWindow();
    });
    trayMenu_->addActions({topup, quit});
}

QWidget* MainWindow::buildReaders() {
    auto* box = qtNew<QGroupBox>(tr("Card readers"));
    auto* layout = qtNew<QVBoxLayout>(box);
    readersView_ = makeTable(&core_.readers(), "readersView", tr("Card readers"));
    layout->addWidget(readersView_);
    connect(readersView_, &QTableView::clicked, this, [this](const QModelIndex& index) {
        core_.card().chooseReader(index.siblingAtColumn(0).data(Qt::UserRole).toString());
    });
    connect(readersView_, &QTableView::activated, this, [this](const QModelIndex& index) {
        core_.card().chooseReader(index.siblingAtColumn(0).data(Qt::UserRole).toString());
    });
    return box;
}

QWidget* MainWindow::buildHistory() {
    auto* box = qtNew<QGroupBox>(tr("History (from the card)"));
    auto* layout = qtNew<QVBoxLayout>(box);
    QTableView* view = makeTable(&core_.history(), "historyView", tr("Card history"));
    layout->addWidget(view);
    connect(&core_.history(), &QAbstractItemModel::modelReset, view, [this, view] {
        view->setColumnHidden(HistoryModel::BalanceColumn, !core_.history().hasBalances());
    });
    return box;
}

void MainWindow::showConnectionStatus() {
    QString text;
    switch (core_.connection().state()) {
        case DaemonConnection::State::Connected:
            text = core_.trustedUi().attached()
                       ? tr("Connected to the TapLink service; web top-ups are confirmed here.")
                       : tr("Connected to the TapLink service.");
            break;
        case DaemonConnection::State::Connecting:
            text = tr("Connecting to the TapLink service…");
            break;
        case DaemonConnection::State::Away:
            text = tr("TapLink service is not running — reconnecting…");
            break;
    }
    statusLabel_->setText(text);
}

TopupWizard* MainWindow::openTopupWizard() {
    if (wizard_.isNull()) {
        wizard_ = qtNew<TopupWizard>(core_, AppSettings::load(), this);
        wizard_->setAttribute(Qt::WA_DeleteOnClose);
        connect(wizard_, &TopupWizard::topupSucceeded, this, [this](const TopupResult& result) {
            tray_->notify(tr("Top-up finished"),
                          tr("%1 loaded; the balance is now %2.")
                              .arg(formatFen(result.amount), formatFen(result.balanceAfter)));
        });
        connect(wizard_, &TopupWizard::topupFailed, this, [this](const RpcError& error) {
            tray_->notify(tr("Top-up failed"), describeError(error).what, true);
        });
    }
    wizard_->show();
    wizard_->raise();
    wizard_->activateWindow();
    return wizard_;
}

SettingsDialog* MainWindow::openSettings() {
    if (settings_.isNull()) {
        settings_ = qtNew<SettingsDialog>(core_.connection(), this);
        settings_->setAttribute(Qt::WA_DeleteOnClose);
    }
    settings_->show();
    settings_->raise();
    settings_->activateWindow();
    return settings_;
}

TokenDialog* MainWindow::openTokenDialog() {
    if (token_.isNull()) {
        token_ = qtNew<TokenDialog>(core_.connection(), this);
        token_->setAttribute(Qt::WA_DeleteOnClose);
    }
    token_->show();
    token_->raise();
    token_->activateWindow();
    return token_;
}

void MainWindow::notifyWebTopup(const QString& orderId, const QString& state, qint64 amount) {
    if (state == QLatin1String("failed")) {
        tray_->notify(tr("Top-up failed"),
                      tr("The web page's top-up (order %1) did not go through.").arg(orderId),
                      true);
    } else {
        tray_->notify(tr("Top-up finished"),
                      tr("%1 loaded (order %2).").arg(formatFen(amount), orderId));
    }
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About TapLink"),
                       tr("TapLink tops up transit cards on this computer's card reader.\n"
                          "This app talks only to the TapLink service (taplinkd) on %1.")
                           .arg(core_.connection().socketPath()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (tray_->available()) {
        // Keep running in the tray: web top-ups need this app to confirm them.
        hide();
        tray_->notify(tr("TapLink is still running"),
                      tr("It stays in the tray to confirm top-ups that web pages start."));
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

}  // namespace taplink::gui
