//! Client records staff register (from a call, a visit, a letter): the identities are stored
//! in the one spelling every channel compares them in.

use baylanys_store::{Actor, Client, NewClient};

use crate::claims::channel_address;
use crate::{Centre, CentreResult};

impl Centre {
    pub async fn register_client(&self, mut new: NewClient, actor: Actor) -> CentreResult<Client> {
        new.identities = new
            .identities
            .into_iter()
            .map(|(channel, address)| Ok((channel, channel_address(channel, &address)?)))
            .collect::<CentreResult<_>>()?;
        Ok(self.store.create_client(new, actor).await?)
    }
}
