#include "ui/progress_page.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <array>
#include <string_view>

#include "core/error_texts.hpp"
#include "ui/qt_new.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui {

namespace {

struct StageText {
    const char* stage;
    const char* step;         // the list entry
    const char* instruction;  // what the user sees in large type while in it
};

// The owner's top-ups go through these (a web page's adds awaiting_confirmation); an EC load
// asks which application when the card has several (choosing_application, bank cards only).
constexpr std::array kStages{
    StageText{"waiting_for_card", QT_TRANSLATE_NOOP("ProgressPage", "Waiting for the card"),
              QT_TRANSLATE_NOOP("ProgressPage", "Place the card on the reader.")},
    StageText{"choosing_application",
              QT_TRANSLATE_NOOP("ProgressPage", "Choosing the card's application"),
              QT_TRANSLATE_NOOP("ProgressPage", "Choose the application in the TapLink window.")},
    StageText{"authorizing",
              QT_TRANSLATE_NOOP("ProgressPage", "Authorizing with the top-up server"),
              QT_TRANSLATE_NOOP("ProgressPage", "Checking the order with the top-up server…")},
    StageText{"writing", QT_TRANSLATE_NOOP("ProgressPage", "Writing to the card"),
              QT_TRANSLATE_NOOP("ProgressPage", "Loading the card. Keep it on the reader.")},
    StageText{"confirming", QT_TRANSLATE_NOOP("ProgressPage", "Confirming with the top-up server"),
              QT_TRANSLATE_NOOP("ProgressPage", "Confirming with the top-up server…")},
};

// Where a stage is in kStages.
qsizetype stageIndex(std::string_view stage) {
    for (std::size_t i = 0; i < kStages.size(); ++i) {
        if (stage == kStages.at(i).stage) {
            return static_cast<qsizetype>(i);
        }
    }
    return -1;
}

QString translated(const char* text) {
    return ProgressPage::tr(text);
}

}  // namespace

ProgressPage::ProgressPage(QWidget* parent)
    : QWizardPage(parent), instruction_(qtNew<QLabel>()), bar_(qtNew<QProgressBar>()) {
    setObjectName("progressPage");
    setTitle(tr("Topping up"));
    auto* layout = qtNew<QVBoxLayout>(this);
    instruction_->setObjectName("instruction");
    instruction_->setWordWrap(true);
    QFont big = instruction_->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    instruction_->setFont(big);
    layout->addWidget(instruction_);
    bar_->setObjectName("progressBar");
    bar_->setAccessibleName(tr("Top-up progress"));
    bar_->setRange(0, static_cast<int>(kStages.size()));
    bar_->setTextVisible(false);
    layout->addWidget(bar_);
    for (const StageText& stage : kStages) {
        auto* label = qtNew<QLabel>();
        label->setObjectName(QStringLiteral("stage-%1").arg(QLatin1String(stage.stage)));
        stages_.append(label);
        layout->addWidget(label);
    }
    layout->addWidget(buildFailureBox());
    layout->addStretch();
}

QWidget* ProgressPage::buildFailureBox() {
    failure_ = qtNew<QWidget>();
    failure_->setObjectName("failure");
    auto* layout = qtNew<QVBoxLayout>(failure_);
    failureWhat_ = qtNew<QLabel>();
    failureWhat_->setObjectName("failureWhat");
    failureWhat_->setWordWrap(true);
    QFont bold = failureWhat_->font();
    bold.setBold(true);
    failureWhat_->setFont(bold);
    failureTodo_ = qtNew<QLabel>();
    failureTodo_->setObjectName("failureTodo");
    failureTodo_->setWordWrap(true);
    retry_ = qtNew<QPushButton>(tr("&Try again"));
    retry_->setObjectName("retryButton");
    auto* other = qtNew<QPushButton>(tr("Use &another order"));
    other->setObjectName("otherOrderButton");
    connect(retry_, &QPushButton::clicked, this, &ProgressPage::start);
    connect(other, &QPushButton::clicked, this, [this] { wizard()->restart(); });
    auto* buttons = qtNew<QHBoxLayout>();
    buttons->addWidget(retry_);
    buttons->addWidget(other);
    buttons->addStretch();
    layout->addWidget(failureWhat_);
    layout->addWidget(failureTodo_);
    layout->addLayout(buttons);
    failure_->setVisible(false);
    return failure_;
}

void ProgressPage::initializePage() {
    auto* topup = qobject_cast<TopupWizard*>(wizard());
    TopupController& controller = topup->controller();
    connect(&controller, &TopupController::stageChanged, this, &ProgressPage::showStage,
            Qt::UniqueConnection);
    connect(&controller, &TopupController::succeeded, this, &ProgressPage::onSucceeded,
            Qt::UniqueConnection);
    connect(&controller, &TopupController::failed, this, &ProgressPage::onFailed,
            Qt::UniqueConnection);
    start();
}

void ProgressPage::cleanupPage() {
    done_ = false;
}

void ProgressPage::start() {
    done_ = false;
    failure_->setVisible(false);
    setSubTitle(QString());
    showStage(QString());
    auto* topup = qobject_cast<TopupWizard*>(wizard());
    const std::optional<LoadFlow> flow = topup->loadFlow();
    if (!flow) {
        onFailed(RpcError{0, api::ErrorCode::WrongScheme, QString(), {}});
        emit completeChanged();
        return;
    }
    stages_.at(stageIndex("choosing_application"))->setVisible(*flow == LoadFlow::Bank);
    setTitle(*flow == LoadFlow::Bank ? tr("Loading e-cash (圈存)") : tr("Topping up"));
    topup->controller().start(topup->orderId(), QString(), *flow);
    emit completeChanged();
}

void ProgressPage::showStage(const QString& stage) {
    int current = -1;
    for (std::size_t i = 0; i < kStages.size(); ++i) {
        if (stage == QLatin1String(kStages.at(i).stage)) {
            current = static_cast<int>(i);
        }
    }
    instruction_->setText(
        current >= 0 ? translated(kStages.at(static_cast<std::size_t>(current)).instruction)
                     : tr("Starting the top-up…"));
    bar_->setValue(current + 1);
    for (int i = 0; i < stages_.size(); ++i) {
        const QString mark = i < current    ? QStringLiteral("✓")
                             : i == current ? QStringLiteral("▶")
                                            : QStringLiteral("○");
        stages_.at(i)->setText(mark + QLatin1Char(' ') +
                               translated(kStages.at(static_cast<std::size_t>(i)).step));
        stages_.at(i)->setEnabled(i <= current);
    }
}

void ProgressPage::onSucceeded(const TopupResult&) {
    done_ = true;
    bar_->setValue(bar_->maximum());
    emit completeChanged();
    // Straight on to the receipt, once this signal has been handled everywhere.
    QTimer::singleShot(0, this, [this] {
        if (wizard()->currentPage() == this) {
            wizard()->next();
        }
    });
}

void ProgressPage::onFailed(const RpcError& error) {
    const ErrorText text = describeError(error);
    instruction_->setText(tr("The top-up did not go through."));
    failureWhat_->setText(text.what);
    failureTodo_->setText(text.todo);
    failure_->setVisible(true);
    retry_->setFocus();
}

bool ProgressPage::isComplete() const {
    return done_;
}

}  // namespace taplink::gui
