//! `servicaja screenshots`: renders every screen in both layouts and both languages to PNG files with
//! Slint's software renderer on a headless platform, so no display is needed. Each scene is a real session
//! state: a fresh session is driven through its flow with scripted events and the fixtures' central answers
//! (see [`super::rig`]), then drawn.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use servicaja_core::api::{PaymentOption, RequestKind};
use servicaja_core::settings::Language;
use servicaja_session::{
    Action, DeliveryChoice, ErrorCode, Event, Failure, InfoTopic, KeypadKey, MenuItem, PaperStatus, Problem,
};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use super::rig::Rig;
use super::{KioskWindow, LANGUAGES, LAYOUTS};
use servicaja_runtime::reprint::{Candidate, ReprintError};

/// A platform with one software-rendered window and no display (also what the UI tests draw with when they
/// look at pixels).
pub struct HeadlessPlatform {
    pub window: Rc<MinimalSoftwareWindow>,
}

impl slint::platform::Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn slint::platform::WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// One screen as a customer would see it: a name and the events that lead there from a fresh session.
pub struct Scene {
    pub name: &'static str,
    pub drive: fn(&Rig),
}

fn refuse(rig: &Rig, code: ErrorCode, attempts_left: Option<u32>) {
    let mut problem = Problem::new(code, "Saldo insuficiente en la cuenta.");
    problem.attempts_left = attempts_left;
    rig.script.borrow_mut().answers.push_back(Err(Failure::Refused(problem)));
}

fn hold(rig: &Rig) {
    rig.script.borrow_mut().hold = true;
}

fn pay_to_summary(rig: &Rig, loan: usize, account: usize) {
    rig.login();
    rig.ui(Action::Menu(MenuItem::PayLoans));
    rig.ui(Action::Select(loan));
    rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    rig.ui(Action::Select(account));
}

fn pay_to_delivery(rig: &Rig) {
    pay_to_summary(rig, 0, 0);
    rig.ui(Action::Confirm);
    rig.ui(Action::Confirm);
}

fn affiliate_to_code(rig: &Rig) {
    rig.login();
    rig.ui(Action::Menu(MenuItem::InternetPurchases));
    rig.ui(Action::Affiliate);
    rig.ui(Action::Select(0));
    rig.ui(Action::Confirm);
}

fn enroll_to_questions(rig: &Rig) {
    rig.ui(Action::CreateClave);
    rig.swipe();
    rig.show_dni();
}

/// The scenes shown with `[audio] blank_screen` on; every other scene runs on [`Rig::config`].
const BLANKING_SCENES: [&str; 1] = ["audio-mode-blanked"];

/// A fresh session for the scene `name` (with the screen blanking on for the scenes `BLANKING_SCENES` lists).
pub fn rig_for(ui: &KioskWindow, name: &str) -> Rig {
    if BLANKING_SCENES.contains(&name) {
        let mut config = Rig::config();
        config.audio.blank_screen = true;
        Rig::with_config(ui, config)
    } else {
        Rig::new(ui)
    }
}

/// The tactile keypad's audio key, then the volume up twice (to 7 of 10).
fn audio_mode(rig: &Rig) {
    rig.send(Event::Keypad(KeypadKey::Audio));
    rig.send(Event::Keypad(KeypadKey::VolumeUp));
    rig.send(Event::Keypad(KeypadKey::VolumeUp));
}

/// Every scene, in the order a customer meets them.
pub fn scenes() -> Vec<Scene> {
    vec![
        Scene { name: "attract", drive: |_| {} },
        Scene {
            name: "attract-accessible",
            drive: |rig| {
                rig.ui(Action::SetHighContrast(true));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene { name: "out-of-service", drive: |rig| rig.send(Event::Host { reachable: false }) },
        Scene {
            name: "out-of-service-storage",
            drive: |rig| {
                rig.send(Event::Storage { problem: Some(servicaja_session::state::StorageProblem::WriteFailed) })
            },
        },
        Scene {
            name: "offline-request-dni",
            drive: |rig| {
                rig.send(Event::Host { reachable: false });
                rig.ui(Action::Menu(MenuItem::Requests));
                rig.ui(Action::RequestKind(RequestKind::AddressChange));
                rig.keys("1011741");
            },
        },
        Scene { name: "card-swipe", drive: |rig| rig.ui(Action::Confirm) },
        Scene {
            name: "card-keyed",
            drive: |rig| {
                rig.ui(Action::TypeInstead);
                rig.keys("41111111");
            },
        },
        Scene { name: "dni-reader", drive: |rig| rig.swipe() },
        Scene {
            name: "dni-keyed",
            drive: |rig| {
                rig.swipe();
                rig.ui(Action::TypeInstead);
                rig.keys("10117410");
            },
        },
        Scene {
            name: "clave",
            drive: |rig| {
                rig.swipe();
                rig.show_dni();
                rig.keys("482");
            },
        },
        Scene {
            name: "clave-last-attempt-large",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                refuse(rig, ErrorCode::ClaveInvalid, Some(1));
                rig.login();
            },
        },
        Scene {
            name: "attract-printer-out",
            drive: |rig| {
                rig.send(Event::Paper(PaperStatus::Out));
                rig.send(Event::Device {
                    device: servicaja_session::Device::DocumentReader,
                    status: servicaja_session::DeviceStatus::Offline,
                });
            },
        },
        Scene {
            name: "clave-wrong",
            drive: |rig| {
                refuse(rig, ErrorCode::ClaveInvalid, Some(2));
                rig.login();
            },
        },
        Scene {
            name: "verifying",
            drive: |rig| {
                hold(rig);
                rig.login();
            },
        },
        Scene {
            name: "card-locked",
            drive: |rig| {
                refuse(rig, ErrorCode::CardLocked, Some(0));
                rig.login();
            },
        },
        Scene { name: "menu", drive: |rig| rig.login() },
        Scene { name: "audio-mode-attract", drive: audio_mode },
        Scene {
            name: "audio-mode-summary",
            drive: |rig| {
                audio_mode(rig);
                pay_to_summary(rig, 0, 0);
            },
        },
        Scene {
            name: "audio-mode-blanked",
            drive: |rig| {
                audio_mode(rig);
                rig.login();
            },
        },
        Scene {
            name: "countdown",
            drive: |rig| {
                rig.login();
                let idle = rig.controller.borrow().timers().get(&servicaja_session::Timer::Idle).copied();
                if let Some(at) = idle {
                    rig.advance((at - rig.now.get()).num_seconds() + 3);
                }
            },
        },
        Scene {
            name: "balances",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Balances));
            },
        },
        Scene {
            name: "movements",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Balances));
                rig.ui(Action::Select(0));
            },
        },
        Scene {
            name: "loans",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
            },
        },
        Scene {
            name: "loan-not-payable",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(2));
            },
        },
        Scene {
            name: "loan-options",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
            },
        },
        Scene {
            name: "amount",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceAmount));
                rig.keys("900");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "advance-installments",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::Advance));
            },
        },
        Scene {
            name: "debit-account",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
            },
        },
        Scene {
            name: "debit-account-insufficient",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::Total));
            },
        },
        Scene { name: "summary", drive: |rig| pay_to_summary(rig, 0, 0) },
        Scene { name: "summary-exchange", drive: |rig| pay_to_summary(rig, 1, 0) },
        Scene {
            name: "processing",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                hold(rig);
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "payment-done",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "payment-refused",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                refuse(rig, ErrorCode::InsufficientFunds, None);
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "payment-not-done",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                rig.script.borrow_mut().answers.push_back(Err(Failure::NoAnswer));
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "payment-unconfirmed",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                rig.script.borrow_mut().answers.extend([Err(Failure::NoAnswer), Err(Failure::NoAnswer)]);
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "payment-held",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                rig.script.borrow_mut().answers.push_back(Ok(servicaja_session::Reply::PaymentHeld));
                rig.ui(Action::Confirm);
            },
        },
        Scene { name: "delivery", drive: pay_to_delivery },
        Scene {
            name: "delivery-paper-out",
            drive: |rig| {
                rig.send(Event::Paper(PaperStatus::Out));
                pay_to_delivery(rig);
            },
        },
        Scene {
            name: "delivery-email",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::Email));
                rig.ui(Action::TypeInstead);
                rig.keys("jesus@correo");
            },
        },
        Scene {
            name: "delivery-email-registered",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::Email));
            },
        },
        Scene {
            name: "delivery-qr",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::ShowQr);
            },
        },
        Scene {
            name: "delivered",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::Print));
            },
        },
        Scene {
            name: "another-operation",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::None));
            },
        },
        // The payment screens of issue 18 with large text (the setting survives the session's steps).
        Scene {
            name: "large-text-loan-options",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-advance-installments",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::Advance));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-amount",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceCount));
                rig.keys("7000");
                rig.ui(Action::Confirm);
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-debit-account-insufficient",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
                rig.ui(Action::PaymentOption(PaymentOption::Total));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-summary-exchange",
            drive: |rig| {
                pay_to_summary(rig, 0, 1);
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-payment-refused",
            drive: |rig| {
                pay_to_summary(rig, 0, 0);
                refuse(rig, ErrorCode::InsufficientFunds, None);
                rig.ui(Action::Confirm);
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-delivery-email-registered",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::Email));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "large-text-delivered",
            drive: |rig| {
                pay_to_delivery(rig);
                rig.ui(Action::Deliver(DeliveryChoice::Print));
                rig.ui(Action::SetLargeText(true));
            },
        },
        Scene {
            name: "internet",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::InternetPurchases));
            },
        },
        Scene {
            name: "internet-choose",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::InternetPurchases));
                rig.ui(Action::Affiliate);
                rig.ui(Action::Select(0));
            },
        },
        Scene {
            name: "internet-code",
            drive: |rig| {
                affiliate_to_code(rig);
                rig.keys("12");
            },
        },
        Scene {
            name: "internet-done",
            drive: |rig| {
                affiliate_to_code(rig);
                rig.keys("123456");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "disaffiliate-consent",
            drive: |rig| {
                rig.script.borrow_mut().affiliated = true;
                rig.login();
                rig.ui(Action::Menu(MenuItem::InternetPurchases));
                rig.ui(Action::Disaffiliate);
                rig.ui(Action::ToggleConsent);
            },
        },
        Scene {
            name: "certificates-refused",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Certificates));
                rig.ui(Action::Select(3));
                refuse(rig, ErrorCode::LoansNotCancelled, None);
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "certificate-issued",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Certificates));
                rig.ui(Action::Select(3));
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "already-affiliated",
            drive: |rig| {
                rig.script.borrow_mut().affiliated = true;
                rig.login();
                rig.ui(Action::Menu(MenuItem::InternetPurchases));
                rig.ui(Action::Affiliate);
            },
        },
        Scene {
            name: "offline-requests-central-up",
            drive: |rig| {
                rig.send(Event::Device {
                    device: servicaja_session::Device::CardReader,
                    status: servicaja_session::DeviceStatus::HardwareError,
                });
                rig.ui(Action::Menu(MenuItem::Requests));
            },
        },
        Scene {
            name: "certificates",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Certificates));
            },
        },
        Scene {
            name: "requests",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Requests));
            },
        },
        Scene {
            name: "request-confirm",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Requests));
                rig.ui(Action::RequestKind(RequestKind::PremiumRefund));
            },
        },
        Scene {
            name: "request-detail",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Requests));
                rig.ui(Action::RequestKind(RequestKind::AddressChange));
                rig.keys("Nueva dirección: Av. Bolognesi 1234, Tacna");
            },
        },
        Scene {
            name: "request-filed",
            drive: |rig| {
                rig.login();
                rig.ui(Action::Menu(MenuItem::Requests));
                rig.ui(Action::RequestKind(RequestKind::PremiumRefund));
                rig.ui(Action::Confirm);
            },
        },
        Scene { name: "enroll-questions", drive: enroll_to_questions },
        Scene {
            name: "enroll-code-large",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                enroll_to_questions(rig);
                for option in [1, 2, 0] {
                    rig.ui(Action::Answer(option));
                }
                rig.ui(Action::Confirm);
                for _ in 0..2 {
                    rig.keys("739146");
                    rig.ui(Action::Confirm);
                }
                rig.keys("12");
            },
        },
        Scene {
            name: "internet-code-large",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                affiliate_to_code(rig);
                refuse(rig, ErrorCode::OtpInvalid, Some(1));
                rig.keys("123456");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "dni-keyed-large",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.swipe();
                rig.ui(Action::TypeInstead);
                rig.keys("10117410");
            },
        },
        Scene {
            name: "enroll-new-clave",
            drive: |rig| {
                enroll_to_questions(rig);
                for _ in 0..3 {
                    rig.ui(Action::Answer(0));
                    rig.ui(Action::Confirm);
                }
                rig.keys("73");
            },
        },
        Scene { name: "information", drive: |rig| rig.ui(Action::Menu(MenuItem::Information)) },
        Scene {
            name: "info-channels",
            drive: |rig| {
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
            },
        },
        Scene {
            name: "info-coverage",
            drive: |rig| {
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::InsuranceCoverage));
            },
        },
        Scene {
            name: "info-mivivienda",
            drive: |rig| {
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
                rig.keys("150000");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "info-techo-propio",
            drive: |rig| {
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::TechoPropioBond));
                rig.keys("90000");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "info-deductibles",
            drive: |rig| {
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::MultiriskDeductibles));
                rig.keys("25000");
                rig.ui(Action::Confirm);
            },
        },
        // Large text on the screens that carry the most text (issue 18: nothing may overflow or be clipped).
        Scene {
            name: "large-menu",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.login();
            },
        },
        Scene {
            name: "large-loan-options",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.login();
                rig.ui(Action::Menu(MenuItem::PayLoans));
                rig.ui(Action::Select(0));
            },
        },
        Scene {
            name: "large-info-channels",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
            },
        },
        Scene {
            name: "large-info-coverage",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::InsuranceCoverage));
            },
        },
        Scene {
            name: "large-info-mivivienda",
            drive: |rig| {
                rig.ui(Action::SetLargeText(true));
                rig.ui(Action::Menu(MenuItem::Information));
                rig.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
                rig.keys("150000");
                rig.ui(Action::Confirm);
            },
        },
        Scene {
            name: "english-menu",
            drive: |rig| {
                rig.ui(Action::SetLanguage(Language::En));
                rig.login();
            },
        },
    ]
}

/// Renders every scene to `out/<layout>-<language>-<scene>.png` and returns the files written; `progress`
/// is told each scene's name and the screen it reached, once (the command line prints it).
pub fn render_all(out: &Path, progress: &mut dyn FnMut(&str, &str)) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|err| format!("{}: {err}", out.display()))?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))
        .map_err(|err| format!("cannot set the headless platform: {err}"))?;
    let ui = KioskWindow::new().map_err(|err| err.to_string())?;
    ui.show().map_err(|err| err.to_string())?;
    let kiosk = ui.global::<super::Kiosk>();
    kiosk.set_agency("Agencia Principal Tacna".into());
    kiosk.set_kiosk_id("KSK-TAC-001".into());
    // SERVICAJA_SCREENSHOTS_ONLY=word renders only the scenes whose name contains it (a quicker look at a
    // few screens while working on them).
    let only = std::env::var("SERVICAJA_SCREENSHOTS_ONLY").ok().filter(|only| !only.is_empty());
    let wanted = |name: &str| only.as_deref().is_none_or(|only| name.contains(only));
    let mut written = Vec::new();
    for (layout, width, height) in LAYOUTS {
        window.set_size(PhysicalSize::new(width, height));
        for language in LANGUAGES {
            for scene in scenes().into_iter().filter(|scene| wanted(scene.name)) {
                let rig = rig_for(&ui, scene.name);
                if language == "en" {
                    rig.ui(Action::SetLanguage(Language::En));
                }
                (scene.drive)(&rig);
                if layout == "landscape" && language == "es" {
                    progress(scene.name, &format!("{:?}", rig.screen()));
                }
                let pixels = render(&window, width, height);
                let path = out.join(format!("{layout}-{language}-{}.png", scene.name));
                save_png(&path, width, height, &pixels)?;
                written.push(path);
            }
            if only.is_none() {
                written.extend(render_reprint_scenes(&ui, &window, out, (layout, width, height), language)?);
            }
            if only.is_none() || wanted("maintenance") {
                written.extend(render_maintenance_scenes(&ui, &window, out, (layout, width, height), language)?);
            }
        }
    }
    Ok(written)
}

/// Draws one full frame of the window into a fresh buffer.
pub fn render(window: &MinimalSoftwareWindow, width: u32, height: u32) -> Vec<Rgb8Pixel> {
    slint::platform::update_timers_and_animations();
    let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); width as usize * height as usize];
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(&mut buffer, width as usize);
    });
    buffer
}

fn save_png(path: &Path, width: u32, height: u32, pixels: &[Rgb8Pixel]) -> Result<(), String> {
    let bytes: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    let image = image::RgbImage::from_raw(width, height, bytes).ok_or("frame buffer size mismatch")?;
    image.save(path).map_err(|err| format!("{}: {err}", path.display()))
}

/// The staff reprint page, driven through its global's callbacks as touches would, on a journal of sample
/// receipts (`super::reprint::write_sample_receipts`); a reprint answers "paper out" (no printer here).
fn reprint_scenes() -> Vec<(&'static str, ReprintDrive)> {
    vec![
        ("reprint-today", |page| {
            page.invoke_search();
            page.invoke_select(1);
        }),
        ("reprint-card", |page| {
            page.invoke_set_mode("card".into());
            for key in ["0", "0", "1", "0"] {
                page.invoke_key(key.into());
            }
            page.invoke_search();
            page.invoke_select(1);
        }),
        ("reprint-not-printed", |page| {
            page.invoke_set_mode("operation".into());
            for key in "004514".chars() {
                page.invoke_key(key.to_string().into());
            }
            page.invoke_search();
        }),
        // The letters of request and constancia numbers, typed with the prefix keys (issue 18).
        ("reprint-operation-keys", |page| {
            page.invoke_set_mode("operation".into());
            for key in ["REQ-", "2", "0", "2", "6", "1", "1", "2", "1", "-", "4"] {
                page.invoke_key(key.into());
            }
        }),
        ("reprint-paper-out", |page| {
            page.invoke_range("week".into());
            page.invoke_search();
            page.invoke_select(0);
            page.invoke_reprint();
        }),
        ("reprint-invalid", |page| {
            page.invoke_set_mode("card".into());
            page.invoke_key("4".into());
            page.invoke_search();
        }),
    ]
}

/// Touches on the reprint page, through its global's callbacks.
type ReprintDrive = fn(&super::Reprint<'_>);

/// A journal-backed reprint page whose printer is always out of paper.
struct PaperOutBackend(super::reprint::JournalBackend);

impl super::reprint::ReprintBackend for PaperOutBackend {
    fn search(&self, criteria: servicaja_maintenance::ReprintCriteria, reply: super::reprint::Reply<Vec<Candidate>>) {
        self.0.search(criteria, reply);
    }

    fn preview(&self, seq: i64, reply: super::reprint::Reply<String>) {
        self.0.preview(seq, reply);
    }

    fn reprint(
        &self,
        _seq: i64,
        _requester: servicaja_maintenance::Requester,
        _at: chrono::DateTime<chrono::Utc>,
        reply: super::reprint::Reply<servicaja_runtime::reprint::Reprinted>,
    ) {
        use servicaja_drivers::printer::{FailReason, PrintError};
        reply(Err(ReprintError::Print(PrintError::NotReady(FailReason::PaperOut))));
    }
}

fn render_reprint_scenes(
    ui: &KioskWindow,
    window: &MinimalSoftwareWindow,
    out: &Path,
    (layout, width, height): (&str, u32, u32),
    language: &str,
) -> Result<Vec<PathBuf>, String> {
    let dir = std::env::temp_dir().join(format!("servicaja-shots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let now = super::fixtures::start_time();
    let mut written = Vec::new();
    super::select_language(language)?;
    for (name, drive) in reprint_scenes() {
        let path = dir.join(format!("{name}.sqlite"));
        let _ = std::fs::remove_file(&path);
        let mut journal = servicaja_host::Journal::open(&path, 64).map_err(|err| err.to_string())?;
        super::reprint::write_sample_receipts(&mut journal, now)?;
        let backend = super::reprint::JournalBackend::new(journal, None, servicaja_receipts::Columns::C48, "LG");
        let page = super::reprint::ReprintScreen::attach(ui, Box::new(PaperOutBackend(backend)), Rc::new(move || now));
        page.borrow_mut().open("S01");
        drive(&ui.global::<super::Reprint>());
        let pixels = render(window, width, height);
        let shot = out.join(format!("{layout}-{language}-{name}.png"));
        save_png(&shot, width, height, &pixels)?;
        written.push(shot);
        page.borrow_mut().close();
    }
    super::select_language("es")?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(written)
}

/// The technician's and staff's maintenance screens (`super::maintenance::showcase`), each from a fresh
/// session and desk.
fn render_maintenance_scenes(
    ui: &KioskWindow,
    window: &MinimalSoftwareWindow,
    out: &Path,
    (layout, width, height): (&str, u32, u32),
    language: &str,
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    super::select_language(language)?;
    for (name, drive) in super::maintenance::showcase::scenes() {
        let rig = Rig::new(ui);
        let desk = super::maintenance::showcase::desk(ui, &rig.controller, rig.now.clone());
        super::select_language(language)?;
        drive(&super::maintenance::showcase::Stage { ui, desk: &desk, now: &rig.now });
        let pixels = render(window, width, height);
        let shot = out.join(format!("{layout}-{language}-{name}.png"));
        save_png(&shot, width, height, &pixels)?;
        written.push(shot);
    }
    // The next scene starts with the maintenance screens closed.
    ui.global::<super::Maintenance>().set_page(super::MaintenancePage::Closed);
    super::select_language("es")?;
    Ok(written)
}
