//! Audio mode and the tactile keypad (issue 17): what each physical key does on the screen on show, the
//! numbered options every screen offers (the same list the speech crate reads out, so "pulse 2" and the key
//! 2 can never disagree), and the speech cues the session emits. What is said is worded above this crate
//! (`servicaja-speech`); here only *when* and *about what*.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::settings::Language;

use crate::contract::{PAYMENT_OPTIONS, REQUEST_KINDS};
use crate::effect::Effect;
use crate::event::{Action, DeliveryChoice, InfoTopic, Key, MenuItem};
use crate::machine::{Cx, Session};
use crate::state::{
    Balances, Certificates, Delivery, DeliveryStage, Enrollment, Identify, IdentifyStep, Information, Internet,
    Payment, Purpose, Requests, Screen, Then,
};

/// A key of the tactile keypad (a USB numeric keypad, or an ATM-style EPP later), as the shell reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeypadKey {
    Digit(u8),
    /// The decimal point, for amounts.
    Point,
    Enter,
    Cancel,
    Clear,
    /// Say the last prompt again.
    Repeat,
    VolumeUp,
    VolumeDown,
    Help,
    /// Turn audio mode on for this session (the keypad's audio key, or headphones plugged in where the
    /// hardware reports it).
    Audio,
}

/// What the shell should say now; the speech crate words it from the session's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cue {
    /// Audio mode just started: the greeting and the keys in one sentence, then the screen.
    Welcome,
    /// The screen on show: title, what is asked, the numbered options, the figures, errors.
    Screen,
    /// What was typed so far on a typing screen (a count only for secrets).
    Typed,
    /// The keys and what they do on this screen.
    Help,
    /// The volume changed to this level (1..=max).
    Volume(u8),
    /// The inactivity countdown is showing.
    Countdown,
    /// A digit that chooses nothing on this screen.
    NoSuchOption,
    /// The receipt or constancia on the delivery screen, read out (ADA §707.5.2).
    Document,
    /// Key 9 or 0 turned the page of a long list (or of the movements read out): the page and its options.
    Page,
    /// Clear erased this character of a text typed letter by letter (e-mail, request detail).
    Erased(char),
    /// The session ended (audio mode ends with it): the goodbye.
    Ended(crate::effect::EndReason),
}

/// One numbered option of a screen: digit `n` chooses the `n`-th (1-based) of [`Session::keypad_choices`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Choice {
    /// Does what the touch of the same button does.
    Act(Action),
    /// Reads the document on the delivery screen aloud.
    ReadDocument,
}

/// Keys 1 to 8 choose on a page of a list longer than nine options; 9 turns to the next page (after the
/// last, back to the first) and 0 to the previous one. ATMs with audio guidance page their options this way
/// ("para más opciones, pulse 9") rather than take two-digit numbers: the customer only ever has to remember
/// one key, hears where they are ("página 2 de 3"), and no digit waits for a second one or a timeout.
/// A list of nine or fewer keeps keys 1 to 9 and has no pages.
pub const PAGE_SIZE: usize = 8;
/// The key that turns to the next page.
pub const NEXT_PAGE: u8 = 9;
/// The key that turns to the previous page.
pub const PREVIOUS_PAGE: u8 = 0;
/// How many movements one page of the movements screen reads out (the options stay on every page).
pub const MOVEMENTS_PER_PAGE: usize = 5;

/// The numbered options of the page on show: which key chooses what, and where the page is in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeypadPage {
    /// 0-based.
    pub page: usize,
    /// 1 when the screen has no pages.
    pub pages: usize,
    /// `(key, choice)`, in the order they are spoken.
    pub choices: Vec<(u8, Choice)>,
    /// What the page's number counts: options of a long list, or movements read out.
    pub paging: Paging,
}

/// What turning a page moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The screen's options, [`PAGE_SIZE`] to a page.
    Options,
    /// The movements read out on the movements screen, [`MOVEMENTS_PER_PAGE`] to a page; the options (print,
    /// e-mail) are the same on every page.
    Movements { from: usize, to: usize, total: usize },
}

/// Audio mode of the current session: on until the session ends, the volume back to the default then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audio {
    pub volume: u8,
}

/// Audio mode's settings (issue 17: longer time limits; volume control).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioConfig {
    /// Idle time before the countdown in audio mode (longer than on the screen: listening takes time).
    pub idle_seconds: u32,
    /// Length of the spoken countdown in audio mode.
    pub countdown_seconds: u32,
    /// The volume each session starts at, in 1..=`max_volume`.
    pub default_volume: u8,
    pub max_volume: u8,
    /// Blank the screen while audio mode is on, for privacy (ATMs do); the UI reads it.
    pub blank_screen: bool,
    /// How long a letter typed by repeated presses of one key stays open to the next press of that key
    /// (phone-style multi-tap); after it, the same key starts a new letter.
    pub multitap_millis: u32,
}

impl Default for AudioConfig {
    fn default() -> Self {
        Self::from_settings(&servicaja_core::settings::AudioSettings::default())
    }
}

impl AudioConfig {
    /// The session's part of the `[audio]` settings (the engine's part is the speech shell's).
    pub fn from_settings(audio: &servicaja_core::settings::AudioSettings) -> Self {
        Self {
            idle_seconds: audio.idle_seconds,
            countdown_seconds: audio.countdown_seconds,
            default_volume: audio.default_volume,
            max_volume: audio.max_volume,
            blank_screen: audio.blank_screen,
            multitap_millis: DEFAULT_MULTITAP_MILLIS,
        }
    }
}

/// 1.5 s: longer than a phone's second, because a customer listening to each letter needs the time.
pub const DEFAULT_MULTITAP_MILLIS: u32 = 1500;

/// Whether digits type on this screen (and what they type into), rather than choose an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// A secret (card number, clave, SMS code): only how many digits were typed is ever said.
    Secret,
    /// A DNI, an amount: digits (and the point); what was typed is said back.
    Plain,
    /// An e-mail address or a request's detail: letters typed phone-style ([`multitap_letters`]), each
    /// said back as it is typed, Clear erasing the last one.
    Text,
}

/// A letter typed by repeated presses of one key, still open to the next press of that key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MultiTap {
    digit: u8,
    /// Which of the key's allowed characters is on show (the field's last character).
    index: usize,
    /// After this the same key starts a new character.
    until: DateTime<Utc>,
}

/// The characters of a key, phone style (ITU E.161 letters), in the order repeated presses give them: 2 is
/// a, b, c, 2; 1 is the punctuation of an e-mail address; 0 the space between words of a note, then 0.
/// Characters a field does not take are skipped (no space in an e-mail address).
pub fn multitap_letters(digit: u8) -> &'static str {
    match digit {
        1 => ".@-_1",
        2 => "abc2",
        3 => "def3",
        4 => "ghi4",
        5 => "jkl5",
        6 => "mno6",
        7 => "pqrs7",
        8 => "tuv8",
        9 => "wxyz9",
        _ => " 0",
    }
}

impl Session {
    /// Audio mode, when on for this session.
    pub fn audio(&self) -> Option<Audio> {
        self.audio
    }

    /// Whether digits type on the screen on show, and whether what they type is a secret.
    pub fn keypad_typing(&self) -> Option<Typing> {
        match &self.screen {
            Screen::Identify(Identify { step, .. }) => match step {
                IdentifyStep::Card { keyed: true, .. } | IdentifyStep::Clave { .. } => Some(Typing::Secret),
                IdentifyStep::Dni { keyed: true, .. } => Some(Typing::Plain),
                _ => None,
            },
            Screen::Payment(Payment::Amount { .. })
            | Screen::Requests(Requests::Dni { .. })
            | Screen::Information(Information::Calculator { .. }) => Some(Typing::Plain),
            Screen::Delivery(Delivery { stage: DeliveryStage::Email { .. }, .. })
            | Screen::Requests(Requests::Confirm { .. }) => Some(Typing::Text),
            Screen::Internet(Internet::Code { .. })
            | Screen::Enrollment(Enrollment::NewClave { .. } | Enrollment::Code { .. }) => Some(Typing::Secret),
            _ => None,
        }
    }

    /// The page of numbered options on show, with the key of each ([`PAGE_SIZE`] explains the pages).
    pub fn keypad_page(&self) -> KeypadPage {
        let all = self.keypad_choices();
        if let Screen::Balances(Balances::Movements { movements, .. }) = &self.screen {
            let pages = movements.len().div_ceil(MOVEMENTS_PER_PAGE).max(1);
            let page = self.list_page.min(pages - 1);
            let from = page * MOVEMENTS_PER_PAGE;
            let to = (from + MOVEMENTS_PER_PAGE).min(movements.len());
            return KeypadPage {
                page,
                pages,
                choices: numbered(all, 0, usize::MAX),
                paging: Paging::Movements { from, to, total: movements.len() },
            };
        }
        if all.len() <= 9 {
            return KeypadPage { page: 0, pages: 1, choices: numbered(all, 0, 9), paging: Paging::Options };
        }
        let pages = all.len().div_ceil(PAGE_SIZE);
        let page = self.list_page.min(pages - 1);
        KeypadPage { page, pages, choices: numbered(all, page * PAGE_SIZE, PAGE_SIZE), paging: Paging::Options }
    }

    /// Every numbered option of the screen on show, in the order they are spoken, across all its pages (the
    /// keys are [`Session::keypad_page`]'s). Enter (confirm) and Cancel (back) are not in here: they work on
    /// every screen.
    pub fn keypad_choices(&self) -> Vec<Choice> {
        let act = Choice::Act;
        match &self.screen {
            Screen::Attract => {
                let mut choices = vec![act(Action::Confirm), act(Action::CreateClave)];
                if self.config.allow_keyed_card {
                    choices.push(act(Action::TypeInstead));
                }
                choices.push(act(Action::Menu(MenuItem::Information)));
                choices.push(act(Action::SetLanguage(self.other_language())));
                choices
            }
            Screen::OutOfService { .. } => {
                let mut choices = vec![act(Action::Menu(MenuItem::Information))];
                if self.health.storage.is_none() {
                    choices.push(act(Action::Menu(MenuItem::Requests)));
                }
                choices.push(act(Action::SetLanguage(self.other_language())));
                choices
            }
            Screen::Identify(Identify { purpose, step }) => match step {
                IdentifyStep::Card { keyed: false, .. } => {
                    let mut choices = Vec::new();
                    if self.config.allow_keyed_card {
                        choices.push(act(Action::TypeInstead));
                    }
                    if *purpose == Purpose::Login {
                        choices.push(act(Action::CreateClave));
                    }
                    choices
                }
                IdentifyStep::Dni { keyed: false, .. } if self.config.allow_keyed_dni => {
                    vec![act(Action::TypeInstead)]
                }
                _ => Vec::new(),
            },
            Screen::Menu => MenuItem::ALL
                .into_iter()
                .map(|item| act(Action::Menu(item)))
                .chain([act(Action::SetLanguage(self.other_language()))])
                .collect(),
            Screen::Balances(Balances::Accounts { accounts }) => select(accounts.len()),
            Screen::Balances(Balances::Movements { .. }) => {
                let mut choices = Vec::new();
                if self.printer_ready() {
                    choices.push(act(Action::Deliver(DeliveryChoice::Print)));
                }
                choices.push(act(Action::Deliver(DeliveryChoice::Email)));
                choices
            }
            Screen::Payment(step) => match step {
                Payment::Loans { loans } => select(loans.len()),
                Payment::Loan { options, .. } => PAYMENT_OPTIONS
                    .into_iter()
                    .filter(|option| options.iter().any(|(o, possible)| o == option && *possible))
                    .map(|option| act(Action::PaymentOption(option)))
                    .collect(),
                Payment::Installments { choices, .. } => select(choices.len()),
                Payment::Accounts { accounts, .. } => select(accounts.len()),
                _ => Vec::new(),
            },
            Screen::Internet(step) => match step {
                Internet::Menu { .. } => vec![act(Action::Affiliate), act(Action::Disaffiliate)],
                Internet::AlreadyAffiliated { .. } => vec![act(Action::Disaffiliate)],
                Internet::ChooseAccount { eligible, .. } => select(eligible.len()),
                Internet::Consent { .. } => vec![act(Action::ToggleConsent)],
                _ => Vec::new(),
            },
            Screen::Certificates(Certificates::Choose { loans, .. }) => {
                let mut choices = select(loans.len());
                if crate::flows::all_cancelled(loans) {
                    choices.push(act(Action::AllLoans));
                }
                choices
            }
            Screen::Requests(Requests::Choose { .. }) => {
                REQUEST_KINDS.into_iter().map(|kind| act(Action::RequestKind(kind))).collect()
            }
            Screen::Enrollment(Enrollment::Questions { questions, current, .. }) => {
                let options = questions.get(*current).map_or(0, |q| q.options.len());
                (0..options).map(|i| act(Action::Answer(i))).collect()
            }
            Screen::Information(Information::Topics) => {
                InfoTopic::ALL.into_iter().map(|topic| act(Action::InfoTopic(topic))).collect()
            }
            Screen::Delivery(delivery) => match &delivery.stage {
                DeliveryStage::Choose => {
                    let mut choices = Vec::new();
                    if delivery.printer_ready {
                        choices.push(act(Action::Deliver(DeliveryChoice::Print)));
                    }
                    choices.push(act(Action::Deliver(DeliveryChoice::Email)));
                    if delivery.printer_ready {
                        choices.push(act(Action::Deliver(DeliveryChoice::Both)));
                    }
                    choices.push(act(Action::ShowQr));
                    choices.push(Choice::ReadDocument);
                    choices.push(act(Action::Deliver(DeliveryChoice::None)));
                    choices
                }
                DeliveryStage::PrinterFailed => vec![
                    act(Action::Deliver(DeliveryChoice::Email)),
                    act(Action::ShowQr),
                    Choice::ReadDocument,
                    act(Action::Deliver(DeliveryChoice::None)),
                ],
                DeliveryStage::EmailChoice { .. } => vec![act(Action::Confirm), act(Action::TypeInstead)],
                _ => Vec::new(),
            },
            Screen::Notice { then: Then::Another, .. } => vec![act(Action::Confirm), act(Action::Back)],
            _ => Vec::new(),
        }
    }

    /// The language a key switches to: the other one of the two the kiosk speaks.
    fn other_language(&self) -> Language {
        match self.language {
            Language::Es => Language::En,
            Language::En => Language::Es,
        }
    }

    /// What Enter does here: confirm, except on an SMS-code screen with nothing typed where the code may be
    /// sent again (the screen's "Reenviar código" button has no key of its own).
    pub(crate) fn keypad_enter(&self) -> Action {
        // The enrollment's questions: Enter goes on to the next question (the screen's "Siguiente"; touch
        // can jump to any question) until all are answered, then sends the answers.
        if let Screen::Enrollment(Enrollment::Questions { questions, answers, current, .. }) = &self.screen
            && answers.iter().any(Option::is_none)
            && current + 1 < questions.len()
        {
            return Action::Select(current + 1);
        }
        let code = match &self.screen {
            Screen::Internet(Internet::Code { entry, .. }) | Screen::Enrollment(Enrollment::Code { entry, .. }) => {
                Some(entry)
            }
            _ => None,
        };
        match code {
            Some(entry) if entry.entered == 0 && entry.resend_allowed => Action::ResendCode,
            _ => Action::Confirm,
        }
    }

    /// What Cancel does here: one step back, and at the menu the end of the session (the menu has no back).
    pub(crate) fn keypad_cancel(&self) -> Action {
        match self.screen {
            Screen::Menu => Action::Terminate,
            _ => Action::Back,
        }
    }
}

/// `count` choices from `skip` on, keyed 1, 2, …
fn numbered(all: Vec<Choice>, skip: usize, count: usize) -> Vec<(u8, Choice)> {
    all.into_iter().skip(skip).take(count.min(9)).zip(1u8..).map(|(choice, key)| (key, choice)).collect()
}

/// What a page belongs to: turning pages keeps it, a change of list (another screen, another question)
/// starts again at the first page.
pub(crate) fn page_scope(screen: &Screen) -> (std::mem::Discriminant<Screen>, &'static str, usize) {
    let inner = match screen {
        Screen::Balances(Balances::Accounts { .. }) => "accounts",
        Screen::Balances(Balances::Movements { .. }) => "movements",
        Screen::Payment(Payment::Loans { .. }) => "loans",
        Screen::Payment(Payment::Loan { .. }) => "options",
        Screen::Payment(Payment::Installments { .. }) => "installments",
        Screen::Payment(Payment::Accounts { .. }) => "accounts",
        Screen::Internet(Internet::ChooseAccount { .. }) => "accounts",
        Screen::Certificates(Certificates::Choose { .. }) => "loans",
        Screen::Requests(Requests::Choose { .. }) => "kinds",
        Screen::Requests(Requests::Confirm { .. }) => "detail",
        Screen::Information(Information::Topics) => "topics",
        Screen::Delivery(Delivery { stage: DeliveryStage::Email { .. }, .. }) => "email",
        Screen::Enrollment(Enrollment::Questions { current, .. }) => {
            return (std::mem::discriminant(screen), "question", *current);
        }
        _ => "",
    };
    (std::mem::discriminant(screen), inner, 0)
}

impl Session {
    /// A key on a text screen ([`Typing::Text`]): a digit types the first character of its key, or, pressed
    /// again before the multi-tap time is up, replaces that character with the key's next one; the point
    /// types a dot; Clear erases the last character. Each is said back. Returns whether the key was one of
    /// those (Enter and Cancel confirm and go back as everywhere).
    pub(crate) fn text_key(&mut self, key: KeypadKey, cx: &mut Cx<'_>) -> bool {
        let pending = self.multitap.take();
        let Some((field, max, allowed)) = text_field(&mut self.screen) else { return false };
        let cue = match key {
            KeypadKey::Digit(digit) if digit <= 9 => {
                let cycling = pending.filter(|p| p.digit == digit && cx.now < p.until);
                if cycling.is_some() {
                    field.pop();
                }
                let candidates: Vec<char> = multitap_letters(digit).chars().filter(|c| allowed(field, *c)).collect();
                let index = cycling.map_or(0, |p| (p.index + 1) % candidates.len().max(1));
                match candidates.get(index) {
                    Some(c) if cycling.is_some() || field.chars().count() < max => {
                        field.push(*c);
                        let until = cx
                            .now
                            .checked_add_signed(Duration::milliseconds(i64::from(self.config.audio.multitap_millis)))
                            .unwrap_or(DateTime::<Utc>::MAX_UTC);
                        self.multitap = Some(MultiTap { digit, index, until });
                        Cue::Typed
                    }
                    // Full, or nothing of this key fits here: say what is there.
                    _ => Cue::Typed,
                }
            }
            KeypadKey::Point => {
                if field.chars().count() < max && allowed(field, '.') {
                    field.push('.');
                }
                Cue::Typed
            }
            KeypadKey::Clear => match field.pop() {
                Some(c) => Cue::Erased(c),
                None => Cue::Typed,
            },
            _ => return false,
        };
        if let Screen::Delivery(Delivery { stage: DeliveryStage::Email { error, .. }, .. }) = &mut self.screen {
            *error = None;
        }
        self.activity(cx);
        if self.audio.is_some() {
            cx.fx.push(Effect::Speak(cue));
        }
        true
    }
}

type Allowed = fn(&str, char) -> bool;

/// The text a text screen types into, its length limit and the characters it takes.
fn text_field(screen: &mut Screen) -> Option<(&mut String, usize, Allowed)> {
    match screen {
        Screen::Delivery(Delivery { stage: DeliveryStage::Email { typed, .. }, .. }) => {
            Some((typed, crate::flows::delivery::MAX_EMAIL, crate::flows::typing::email_char as Allowed))
        }
        Screen::Requests(Requests::Confirm { detail, .. }) => {
            Some((detail, crate::state::REQUEST_DETAIL_MAX, crate::flows::typing::detail_char as Allowed))
        }
        _ => None,
    }
}

fn select(count: usize) -> Vec<Choice> {
    (0..count).map(|i| Choice::Act(Action::Select(i))).collect()
}

/// The keyboard key a keypad key types on a typing screen.
pub(crate) fn typed_key(key: KeypadKey) -> Option<Key> {
    match key {
        KeypadKey::Digit(d) if d <= 9 => Some(Key::Digit(d)),
        KeypadKey::Point => Some(Key::Char('.')),
        KeypadKey::Clear => Some(Key::Clear),
        _ => None,
    }
}
