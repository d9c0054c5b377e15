import type { ComponentChildren } from 'preact';
import { navigate } from '../router';

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: any; 'aria-label'?: string }) {
  const { href, children, ...rest } = props;
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
