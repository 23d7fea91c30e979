"""Input channels. They only translate between a transport and Rasa."""
