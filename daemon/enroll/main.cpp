// taplink-enroll: enrolls a device's secure chip (docs/pki.md "Enrollment").
//   taplink-enroll csr     --reader NAME --pin PIN --out FILE.csr
//   taplink-enroll install --reader NAME --pin PIN --cert FILE
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>

#include "enroll/enrollment.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/chip/piv_protocol.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink {
namespace {

// Exit codes (also in --help).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;       // reader, chip, OpenSSL or file failure
constexpr int kExitUsage = 2;        // bad command line
constexpr int kExitPin = 3;          // wrong or blocked PIN
constexpr int kExitNotThisChip = 4;  // the certificate does not belong to the chip

constexpr const char* kCsrHelp =
    "generates a new P-256 device key inside the secure chip (PIV slot 9A; the old\n"
    "key and its certificate are gone for good) and writes a PEM CSR signed by it:\n"
    "subject O=TapLink, CN=TapLink device <CHIPSERIAL>, serialNumber=<CHIPSERIAL>,\n"
    "with the TapLink load SAM key extension. Sign it with\n"
    "certs/sign-device-csr.sh PKIDIR FILE.csr OUT.crt.";
constexpr const char* kInstallHelp =
    "checks that the certificate (PEM or DER) is for this chip - its key, its chip\n"
    "serial and its load SAM key - and writes it into the chip (PIV slot 9A).";
constexpr const char* kExitCodes =
    "exit codes: 0 done, 1 failed (reader, chip, file), 2 usage, 3 wrong or blocked PIN,\n"
    "            4 the certificate does not belong to this chip";

struct Arguments {
    std::string command;
    std::string reader;
    std::string pin;
    std::string out;
    std::string cert;
};

// An empty value ("--out=" or --out "") is no value.
CLI::Validator nonEmpty() {
    return {[](const std::string& value) { return value.empty() ? "needs a value" : ""; }, ""};
}

// A PIN the chip cannot take is a usage error, found before the reader is touched.
CLI::Validator pivPin() {
    return {[](const std::string& pin) {
                try {
                    chip::piv::pinBlock(pin);
                    return std::string();
                } catch (const std::invalid_argument& error) {
                    return std::string(error.what());
                }
            },
            ""};
}

// A required option naming a reader, a file, ...
CLI::Option* addRequired(CLI::App& command, const std::string& name, std::string& target,
                         const std::string& description, const std::string& value) {
    return command.add_option(name, target, description)
        ->required()
        ->type_name(value)
        ->check(nonEmpty());
}

// A command (csr, install) with the options both take.
CLI::App* addCommand(CLI::App& app, const std::string& name, const std::string& description,
                     Arguments& arguments) {
    CLI::App* command = app.add_subcommand(name, description);
    addRequired(*command, "--reader", arguments.reader,
                "the PC/SC reader holding the secure chip\n(e.g. \"TapLink Sim Reader 00 01\")",
                "NAME");
    addRequired(*command, "--pin", arguments.pin, "the chip's PIV PIN (6 to 8 digits)", "PIN")
        ->check(pivPin());
    return command;
}

void describe(CLI::App& app, Arguments& arguments) {
    app.require_subcommand(1);
    addRequired(*addCommand(app, "csr", kCsrHelp, arguments), "--out", arguments.out,
                "where the PEM CSR goes", "FILE.csr");
    addRequired(*addCommand(app, "install", kInstallHelp, arguments), "--cert", arguments.cert,
                "the certificate, PEM or DER", "FILE");
    app.footer(kExitCodes);
}

// The exit status when the command line says to stop: after --help, or on a usage error.
// Help shows both commands in full: there are only two.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return kExitOk;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplink-enroll: " << error.what() << "\n\n"
                  << app.help("", CLI::AppFormatMode::All);
        return kExitUsage;
    }
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const std::string& path, const std::string& contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

std::string csrPem(const Bytes& der) {
    const unsigned char* cursor = der.data();
    const crypto::OpenSslPtr<X509_REQ, &X509_REQ_free> request(
        d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
    crypto::checkOpenSsl(request != nullptr, "CSR: d2i_X509_REQ");
    const crypto::BioPtr bio(BIO_new(BIO_s_mem()));
    crypto::checkOpenSsl(bio != nullptr, "CSR: BIO_new");
    crypto::checkOpenSsl(PEM_write_bio_X509_REQ(bio.get(), request.get()),
                         "CSR: PEM_write_bio_X509_REQ");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

// A PEM or DER certificate from the file.
crypto::X509Ptr readCertificate(const std::string& path) {
    const std::string contents = readFile(path);
    const crypto::BioPtr bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
    crypto::checkOpenSsl(bio != nullptr, "certificate: BIO_new_mem_buf");
    crypto::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) {
        ERR_clear_error();
        const auto* cursor = reinterpret_cast<const unsigned char*>(contents.data());
        certificate.reset(d2i_X509(nullptr, &cursor, static_cast<long>(contents.size())));
    }
    if (!certificate) {
        ERR_clear_error();
        throw std::runtime_error(path + " holds no X.509 certificate (PEM or DER)");
    }
    return certificate;
}

int run(const Arguments& arguments) {
    const pcsc::Context context = pcsc::Context::establish();
    auto connection = pcsc::CardConnection::connect(context, arguments.reader);
    const pcsc::Transaction exclusive = connection.beginTransaction();
    if (arguments.command == "csr") {
        const enroll::DeviceCsr csr = enroll::makeCsr(connection, arguments.pin);
        writeFile(arguments.out, csrPem(csr.der));
        std::cout << "CSR for chip " << toHex(csr.chipSerial) << " written to " << arguments.out
                  << "\n";
    } else {
        const crypto::X509Ptr certificate = readCertificate(arguments.cert);
        const Bytes serial =
            enroll::installCertificate(connection, arguments.pin, certificate.get());
        std::cout << "certificate installed in chip " << toHex(serial) << "\n";
    }
    return kExitOk;
}

int enrollMain(int argc, char** argv) {
    Arguments arguments;
    CLI::App app{"taplink-enroll: enrolls a device's secure chip (docs/pki.md \"Enrollment\").",
                 "taplink-enroll"};
    describe(app, arguments);
    if (const auto stop = parse(app, argc, argv)) {
        return *stop;
    }
    arguments.command = app.get_subcommands().front()->get_name();
    try {
        return run(arguments);
    } catch (const chip::WrongPinError& error) {
        std::cerr << "taplink-enroll: wrong PIN, " << error.triesLeft() << " tries left\n";
        return kExitPin;
    } catch (const chip::PinBlockedError&) {
        std::cerr << "taplink-enroll: the chip's PIN is blocked\n";
        return kExitPin;
    } catch (const enroll::EnrollmentError& error) {
        std::cerr << "taplink-enroll: " << error.what() << "\n";
        return kExitNotThisChip;
    } catch (const chip::DeviceCertificateError& error) {
        std::cerr << "taplink-enroll: " << error.what() << "\n";
        return kExitNotThisChip;
    } catch (const std::exception& error) {
        std::cerr << "taplink-enroll: " << error.what() << "\n";
        return kExitFailed;
    }
}

}  // namespace
}  // namespace taplink

int main(int argc, char** argv) {
    return taplink::enrollMain(argc, argv);
}
