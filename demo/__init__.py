"""The demo: `make run`'s people, organisations and patients with their stories, told
through every app's services. Above the domain apps, so that none of them imports it."""
