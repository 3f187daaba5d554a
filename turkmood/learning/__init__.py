"""The learning loop: the user's labels, retraining a challenger, comparing it with the champion."""
