//! Everything that can happen to a session: the customer's touches and keys, device readings and status,
//! the central's answers, and timers firing. Time is not in here: it comes with every event as `now`.

use serde::{Deserialize, Serialize};
use servicaja_core::settings::Language;
use uuid::Uuid;

use crate::contract::{Answer, PaymentOption, RequestKind};
use crate::secret::{CardNumber, Dni};

/// Correlates a query or command with its answer; for commands it is also the idempotency key.
pub type RequestId = Uuid;

/// One input to [`crate::Session::handle`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A touch on the screen or a key on an on-screen keypad.
    Ui(Action),
    /// A key of the tactile keypad: chooses the screen's numbered option, types, confirms, goes back,
    /// repeats, changes the volume, asks for help, or turns audio mode on (`crate::audio`).
    Keypad(crate::audio::KeypadKey),
    /// The card reader read a valid track and extracted the PAN (the track itself never reaches us).
    CardRead(CardNumber),
    /// The document reader read a DNI whose MRZ check digits passed (core's MRZ parser gives the `Dni`).
    DocumentRead(Dni),
    /// A reader saw something it could not use (unreadable stripe, not a DNI, failed check digits).
    InvalidMedia(Reader),
    /// A device's status changed (XFS4IoT vocabulary).
    Device { device: Device, status: DeviceStatus },
    /// The printer's paper sensor changed.
    Paper(PaperStatus),
    /// A print job the session asked for finished.
    Printed { job: Uuid, outcome: PrintOutcome },
    /// The QR code asked for with `Effect::PrepareQr`: its payload, `None` when it could not be made.
    QrReady { job: Uuid, payload: Option<String> },
    /// The host client's view of the central API: reachable or not.
    Host { reachable: bool },
    /// The kiosk's own storage (outbox, journal): `Some` while it cannot be trusted with another operation
    /// (a write failed, or free space is below the reserve).
    Storage { problem: Option<crate::state::StorageProblem> },
    /// The technician's out-of-service switch (maintenance mode): `None` in service, or out of service with
    /// the reason the customers are shown.
    ServiceSwitch { out_of_service: Option<crate::state::SwitchOffReason> },
    /// Maintenance mode asked for (pending behind a customer) or in use: never interrupts the customer
    /// being served; the next one finds the out-of-service screen until it ends.
    Maintenance { active: bool },
    /// The answer to a query or a command the session issued.
    Central { request: RequestId, answer: Answer },
    /// A timer the session started reached its deadline.
    TimerFired(Timer),
    /// The customer touched or scrolled the screen without acting on anything (reading a list, scrolling
    /// a table): only restarts the idle timer and hides the countdown.
    Activity,
}

/// What the customer touched. Lists are addressed by position (`Select(i)` on the list the screen shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// A key of a keypad or the on-screen keyboard.
    Key(Key),
    /// Aceptar / Siguiente / Continuar / Procesar on the current screen.
    Confirm,
    /// Volver / Cancelar: one step back; at a flow's first screen, the menu.
    Back,
    /// Terminar: end the session at once, from anywhere.
    Terminate,
    /// "¿Necesita más tiempo?" → Sí.
    MoreTime,
    SetLanguage(Language),
    /// High-contrast colours on or off (any customer, any screen; reset when the session ends).
    SetHighContrast(bool),
    /// Large text on or off (any customer, any screen; reset when the session ends).
    SetLargeText(bool),
    /// A tile of the main menu (or Información / Solicitudes on the attract and out-of-service screens).
    Menu(MenuItem),
    /// Pick the item at this position of the list on screen.
    Select(usize),
    /// Identification: type the card number instead of swiping / the DNI instead of showing it.
    TypeInstead,
    /// Attract or identification: "Crear mi clave" (R12).
    CreateClave,
    PaymentOption(PaymentOption),
    /// Delivery of a receipt or constancia.
    Deliver(DeliveryChoice),
    /// "Deseo desafiliarme del servicio de Compras por Internet".
    ToggleConsent,
    /// Send the SMS code again (only after the wait).
    ResendCode,
    /// Compras por Internet: Afiliación / Desafiliación.
    Affiliate,
    Disaffiliate,
    /// Constancia de no adeudo for all loans.
    AllLoans,
    RequestKind(RequestKind),
    InfoTopic(InfoTopic),
    /// Enrollment: answer `option` to the question on screen.
    Answer(usize),
    /// Show the receipt as a QR code on screen instead of printing it.
    ShowQr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Key {
    Digit(u8),
    /// A letter or symbol of the on-screen keyboard (email addresses, DNI check letter, decimal point).
    Char(char),
    Backspace,
    Clear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MenuItem {
    /// Pagar cuotas.
    PayLoans,
    /// Consultar saldos.
    Balances,
    /// Compras por internet.
    InternetPurchases,
    /// Constancias.
    Certificates,
    /// Solicitudes.
    Requests,
    /// Información.
    Information,
}

impl MenuItem {
    pub const ALL: [MenuItem; 6] = [
        Self::PayLoans,
        Self::Balances,
        Self::InternetPurchases,
        Self::Certificates,
        Self::Requests,
        Self::Information,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryChoice {
    Print,
    Email,
    Both,
    None,
}

/// The disclosures a customer can read (R13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InfoTopic {
    /// Canales de pago y límites.
    PaymentChannels,
    /// Seguros: coberturas.
    InsuranceCoverage,
    /// Deducibles del seguro multiriesgo.
    MultiriskDeductibles,
    /// Bono MiVivienda (BBP / BMS): calculator.
    MiViviendaBond,
    /// Techo Propio (BFH): calculator.
    TechoPropioBond,
}

impl InfoTopic {
    pub const ALL: [InfoTopic; 5] = [
        Self::PaymentChannels,
        Self::InsuranceCoverage,
        Self::MultiriskDeductibles,
        Self::MiViviendaBond,
        Self::TechoPropioBond,
    ];

    pub fn is_calculator(self) -> bool {
        matches!(self, Self::MiViviendaBond | Self::TechoPropioBond | Self::MultiriskDeductibles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reader {
    Card,
    Document,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Device {
    CardReader,
    DocumentReader,
    Printer,
}

/// XFS4IoT device status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceStatus {
    Online,
    Offline,
    HardwareError,
    UserError,
    Busy,
    NoDevice,
}

impl DeviceStatus {
    /// Whether the device can serve a customer now.
    pub fn usable(self) -> bool {
        matches!(self, Self::Online | Self::Busy)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaperStatus {
    Full,
    Low,
    Out,
    Jammed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrintOutcome {
    Printed,
    PaperOut,
    Failed,
}

/// The timers a session runs; at most one of each kind is armed at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timer {
    /// No activity for the configured idle time → the countdown appears.
    Idle,
    /// The visible countdown ran out → the session ends.
    Countdown,
    /// The central did not answer in the interactive time (or the printer did not finish).
    Interactive,
    /// The SMS code may be asked for again.
    OtpResend,
}
