"""Click-to-call: every phone number shown is a link that dials it, `tel:` or the
installation's own phone system (a SIP/PBX web address an administrator sets)."""
