//! Byte transports the drivers are generic over: the [`Transport`] trait, its implementation on a real
//! serial port (which also opens the slave side of a pseudo-terminal), and the [`Connector`] that
//! (re)opens a port from configuration so a driver can recover when a cable is pulled and put back.

use std::io::{self, Read, Write};
use std::time::Duration;

use servicaja_core::settings::{FlowControl, Parity, SerialSettings};

/// A bidirectional byte stream with read timeouts.
pub trait Transport: Send {
    /// Reads what is available, waiting at most `timeout`. `Ok(0)` means nothing arrived in time; a
    /// closed or vanished line is an error.
    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Writes every byte into the line's buffer, waiting at most the write timeout for room. It does not
    /// wait for the UART to drain (tcdrain): a printer holding CTS low must not stall its driver forever.
    fn write_all_bytes(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Drops whatever input is waiting (stale replies, noise).
    fn discard_input(&mut self) -> io::Result<()>;
}

/// Whether an I/O error means the device is gone (as opposed to a slow reply).
pub fn is_disconnect(error: &io::Error) -> bool {
    !matches!(error.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

impl Transport for serialport::TTYPort {
    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        serialport::SerialPort::set_timeout(self, timeout).map_err(io::Error::other)?;
        match self.read(buf) {
            Ok(0) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the serial line was closed")),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn write_all_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        // A slow printer holding CTS low can make one write wait; give it time per chunk, not per job.
        serialport::SerialPort::set_timeout(self, Duration::from_secs(10)).map_err(io::Error::other)?;
        self.write_all(bytes)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        serialport::SerialPort::clear(self, serialport::ClearBuffer::Input).map_err(io::Error::other)
    }
}

/// Why a port could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("serial port {port}: {reason}")]
    Open { port: String, reason: String },
    #[error("the port is \"emulator\" but no emulator was started; start the device emulators first")]
    EmulatorNotStarted,
}

/// Opens a transport; called again after the device disappears.
pub trait Connector: Send + 'static {
    type Transport: Transport + 'static;
    fn connect(&mut self) -> Result<Self::Transport, ConnectError>;
    /// The port's name for logs and status details.
    fn describe(&self) -> String;
}

/// Opens a serial port (or a pseudo-terminal's slave path) with the configured line settings.
#[derive(Debug, Clone)]
pub struct SerialConnector {
    pub settings: SerialSettings,
}

impl SerialConnector {
    pub fn new(settings: SerialSettings) -> Self {
        Self { settings }
    }
}

/// The `serialport` builder for these settings. DTR/DSR flow control has no equivalent in the Linux tty
/// layer: the line then runs without flow control and a warning is logged.
pub fn port_builder(settings: &SerialSettings) -> serialport::SerialPortBuilder {
    let data_bits = match settings.data_bits {
        5 => serialport::DataBits::Five,
        6 => serialport::DataBits::Six,
        7 => serialport::DataBits::Seven,
        _ => serialport::DataBits::Eight,
    };
    let parity = match settings.parity {
        Parity::None => serialport::Parity::None,
        Parity::Odd => serialport::Parity::Odd,
        Parity::Even => serialport::Parity::Even,
    };
    let stop_bits = if settings.stop_bits == 2 { serialport::StopBits::Two } else { serialport::StopBits::One };
    let flow = match settings.flow_control {
        FlowControl::None => serialport::FlowControl::None,
        FlowControl::RtsCts => serialport::FlowControl::Hardware,
        FlowControl::XonXoff => serialport::FlowControl::Software,
        FlowControl::DtrDsr => {
            tracing::warn!(
                port = %settings.port,
                "DTR/DSR flow control is not supported by the Linux serial driver; running without flow control \
                 (configure the device for RTS/CTS)"
            );
            serialport::FlowControl::None
        }
    };
    serialport::new(settings.port.clone(), settings.baud)
        .data_bits(data_bits)
        .parity(parity)
        .stop_bits(stop_bits)
        .flow_control(flow)
        .timeout(Duration::from_millis(200))
}

impl Connector for SerialConnector {
    type Transport = serialport::TTYPort;

    fn connect(&mut self) -> Result<serialport::TTYPort, ConnectError> {
        if self.settings.emulated() {
            return Err(ConnectError::EmulatorNotStarted);
        }
        serialport::TTYPort::open(&port_builder(&self.settings))
            .map_err(|e| ConnectError::Open { port: self.settings.port.clone(), reason: e.to_string() })
    }

    fn describe(&self) -> String {
        self.settings.port.clone()
    }
}
