"""Cases, referrals and their timeline."""
