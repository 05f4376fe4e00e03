"""The JSON API through a browser page's request context, for a browser test's setup: bearer
tokens of the demo users, no cookie of the page's involved."""


class PageApi:
    def __init__(self, page, base: str):
        self.request, self.base, self.tokens = page.request, base + "/api/v1", {}

    def call(self, method: str, username: str, path: str, data=None) -> dict:
        if username not in self.tokens:
            answer = self.request.post(f"{self.base}/auth/token", data={"username": username, "password": "demo"})
            self.tokens[username] = answer.json()["token"]
        response = self.request.fetch(self.base + path, method=method, data=data,
                                      headers={"Authorization": f"Bearer {self.tokens[username]}"})
        assert response.status in (200, 201), response.text()
        return response.json()
