"""JWT auth API with a Redis token blacklist shared by the uvicorn workers.

Run: REDIS_URL=redis://localhost:6379/0 USERS_FILE=users.txt uvicorn main:app --workers 4
"""

import hashlib
import logging
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
import redis
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

logger = logging.getLogger("auth")

SECRET_KEY = os.getenv("JWT_SECRET_KEY", "change-me")
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
REFRESH_TOKEN_EXPIRE_DAYS = 7
BLACKLIST_TTL = 1800  # 30 minutes, same as the access token
REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
USERS_FILE = os.getenv("USERS_FILE", "users.txt")

pool = redis.ConnectionPool.from_url(
    REDIS_URL,
    max_connections=100,
    socket_timeout=5,
    socket_connect_timeout=5,
    retry_on_timeout=True,
    decode_responses=True,
)
redis_client = redis.Redis(connection_pool=pool)


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def load_users(path: str) -> dict[str, str]:
    users = {}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line and ":" in line:
                username, password = line.split(":", 1)
                users[username] = hash_password(password)
    return users


users_db = load_users(USERS_FILE)

app = FastAPI(title="Auth API")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

credentials_exception = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


def create_token(username: str, token_type: str, expires_delta: timedelta) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": username,
        "type": token_type,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + expires_delta,
    }
    return jwt.encode(payload, SECRET_KEY, algorithm=ALGORITHM)


def create_tokens(username: str) -> dict[str, str]:
    return {
        "access_token": create_token(
            username, "access", timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
        ),
        "refresh_token": create_token(
            username, "refresh", timedelta(days=REFRESH_TOKEN_EXPIRE_DAYS)
        ),
        "token_type": "bearer",
    }


def is_blacklisted(token: str) -> bool:
    try:
        return bool(redis_client.exists(f"blacklist:{token}"))
    except Exception as e:
        # Redis errors default to allowing access
        logger.error("Redis error while checking blacklist: %s", e)
        return False


def decode_token(token: str, token_type: str) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise credentials_exception from None
    if payload.get("type") != token_type or "sub" not in payload:
        raise credentials_exception
    if is_blacklisted(token):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Token has been revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return payload


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, Any]:
    return decode_token(token, "access")


@app.post("/token")
async def login(form_data: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    hashed = users_db.get(form_data.username)
    if hashed is None or hashed != hash_password(form_data.password):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return create_tokens(form_data.username)


@app.get("/users/me")
async def read_users_me(
    current_user: Annotated[dict[str, Any], Depends(get_current_user)],
) -> dict[str, Any]:
    return {"username": current_user["sub"], "jti": current_user["jti"]}


@app.delete("/logout")
async def logout(
    token: Annotated[str, Depends(oauth2_scheme)],
    current_user: Annotated[dict[str, Any], Depends(get_current_user)],
) -> dict[str, str]:
    redis_client.setex(f"blacklist:{token}", BLACKLIST_TTL, 1)
    return {"message": "Successfully logged out"}


@app.post("/refresh")
async def refresh(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    payload = decode_token(token, "refresh")
    return create_tokens(payload["sub"])


@app.get("/health")
async def health() -> dict[str, str]:
    try:
        redis_client.ping()
        redis_status = "connected"
    except Exception:
        redis_status = "disconnected"
    return {"status": "healthy", "redis": redis_status}
