"""Getting data in and out of Clientela: backup, restore, verification and transfer."""
