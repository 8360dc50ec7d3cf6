//! E-mail in: a mailbox read over IMAP ([`imap`]) and each mail read into what the centre
//! stores ([`parse`]). Mail out is [`crate::email::Mailer`].

pub mod imap;
pub mod parse;
