"""hogo (保護): the published privacy policy, enforced on every use of personal data."""

__version__ = "0.1.0"
