package dev.wharf.config;

final class Placeholder {}
