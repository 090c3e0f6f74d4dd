"""The users' journeys in headless Chromium against the served demo organisation; each one
fails on a console error, a script error or a request to another host (see conftest)."""
from .journeys import (admin_journey, agent_journey, language_journey, manager_journey, mentor_journey,
                       trainer_journey)


def test_agent(served, open_journey):
    agent_journey(served, open_journey)


def test_agent_on_a_phone(served, open_journey):
    agent_journey(served, open_journey, phone=True)


def test_trainer(served, open_journey):
    trainer_journey(served, open_journey)


def test_mentor(served, open_journey):
    mentor_journey(served, open_journey)


def test_manager(served, open_journey):
    manager_journey(served, open_journey)


def test_admin(served, open_journey):
    admin_journey(served, open_journey)


def test_language_switch(served, open_journey):
    language_journey(served, open_journey)
