"""People who log in to Clientela: the User model and what it takes to create one."""
