"""The safety pages, one module per part: review, alerts, graphic media, lock-down."""
